package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class VersionTest {

    @Test
    void versionNamesUring4jTheJdkAndTheKernel() throws Exception {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.exitCode());
        assertEquals("", r.err());
        String[] lines = r.out().split("\\R");
        assertEquals("uring4j " + VersionInfo.version(), lines[0]);
        assertTrue(r.out().contains("JDK " + Runtime.version()), r.out());
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        assertTrue(r.out().contains("kernel Linux " + release), r.out());
    }

    @Test
    void versionComesFromTheMavenFilteredResource() {
        // ${project.version} left in place would mean resource filtering is off
        String v = VersionInfo.version();
        assertFalse(v.contains("${"), v);
        assertFalse(v.equals("unknown"), v);
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+.*"), v);
    }

    @Test
    void shortFlagAndSubcommandPrintTheSameVersion() {
        assertEquals(Cli.run("--version").out(), Cli.run("-V").out());
        assertEquals(Cli.run("--version").out(), Cli.run("probe", "--version").out());
    }
}
