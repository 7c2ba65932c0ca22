package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.uring4j.ring.Feature;
import org.uring4j.ring.Opcode;

class ProbeHumanTest {

    private static String render(ProbeReport report, Style style) {
        StringWriter sw = new StringWriter();
        new HumanProbeWriter(new PrintWriter(sw), style).write(report);
        return sw.toString();
    }

    private static ProbeReport unavailable() {
        HostFacts host = new HostFacts("6.8.0", "amd64", 0, 2, 1, new HostFacts.Limit(8 << 20, 8 << 20));
        return ProbeReport.unavailable(host, "BLOCKED_BY_SECCOMP",
                "io_uring_setup: EPERM (Operation not permitted): io_uring_setup is blocked by a seccomp filter");
    }

    @Test
    void mentionsTheKernelAndEveryOpAndFeature() throws Exception {
        Cli.Result r = Cli.run("probe");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        assertTrue(r.out().contains(release), r.out());
        for (Opcode op : Opcode.values()) {
            assertTrue(r.out().matches("(?s).*\\s" + op.code() + "\\s+" + op.name() + "\\s.*"), op.name());
        }
        for (Feature f : Feature.values()) {
            assertTrue(r.out().contains(f.name()), f.name());
        }
        assertTrue(r.out().contains("io_uring_disabled"));
        assertTrue(r.out().contains("seccomp"));
        assertTrue(r.out().contains("RLIMIT_MEMLOCK"));
    }

    @Test
    void noColourWhenNotATerminal() {
        Cli.Result r = Cli.run("probe");
        assertFalse(r.out().contains("\u001b"), "escape codes in plain output");
    }

    @Test
    void opRowsLineUp() {
        // every op row has its "since" column at the same offset
        String out = Cli.run("probe").out();
        Set<Integer> columns = new java.util.HashSet<>();
        for (Opcode op : Opcode.values()) {
            String row = out.lines().filter(l -> l.matches("\\s+" + op.code() + "\\s+" + op.name() + "\\s.*"))
                    .findFirst().orElseThrow();
            columns.add(row.indexOf(op.since() + " ", row.indexOf(op.name()) + op.name().length()));
        }
        assertEquals(1, columns.size(), columns.toString());
    }

    @Test
    void unavailableSaysWhyAndHowToFixIt() {
        String out = render(unavailable(), Style.PLAIN);
        assertTrue(out.contains("unavailable: BLOCKED_BY_SECCOMP"), out);
        assertTrue(out.contains("io_uring_setup is blocked by a seccomp filter"), out);
        assertTrue(out.contains("fix"), out);
        assertTrue(out.contains("portable"), out);
        assertTrue(out.contains("filter mode, 1 filter"), out);
        for (Opcode op : Opcode.values()) {
            assertTrue(out.contains(op.name()), op.name());
        }
    }

    @Test
    void colourOnlyWhenAsked() {
        assertTrue(render(unavailable(), Style.COLOR).contains("\u001b[31m"));
        assertFalse(render(unavailable(), Style.PLAIN).contains("\u001b"));
    }

    @Test
    void noColourWithoutAConsoleOrWithADumbTerminal() {
        assertEquals(Style.PLAIN, Style.detect(null, k -> k.equals("TERM") ? "xterm-256color" : null));
        assertEquals(Style.PLAIN, Style.detect(System.console(), k -> k.equals("TERM") ? "dumb" : null));
        assertEquals(Style.PLAIN, Style.detect(System.console(), k -> null));
    }

    @Test
    void memlockSizesReadAsAPersonWould() {
        assertEquals("8 MiB", HumanProbeWriter.bytes(8 << 20));
        assertEquals("65 KiB", HumanProbeWriter.bytes(65 * 1024));
        assertEquals("1000 bytes", HumanProbeWriter.bytes(1000));
        assertEquals("unlimited", HumanProbeWriter.bytes(HostFacts.Limit.UNLIMITED));
    }
}
