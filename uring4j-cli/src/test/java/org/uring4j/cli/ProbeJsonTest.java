package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import org.uring4j.UringUnavailableException;
import org.uring4j.ring.Feature;
import org.uring4j.ring.Opcode;
import org.uring4j.ring.Probe;
import org.uring4j.ring.Ring;

class ProbeJsonTest {
    // Trailing tokens fail the parse: the output must be exactly one JSON value.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Set<String> TOP_KEYS = Set.of("kernel", "arch", "backend", "io_uring");
    private static final Set<String> IO_URING_KEYS = Set.of("available", "reason", "message", "features", "ops",
            "supported_count", "last_op", "probe_error", "io_uring_disabled", "seccomp", "seccomp_filters", "memlock",
            "fixed_files");

    private static JsonNode probeJson() throws Exception {
        Cli.Result r = Cli.run("probe", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        JsonNode root = JSON.readTree(r.out());
        assertTrue(root.isObject(), r.out());
        return root;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void hasExactlyTheDocumentedKeysWithTheirTypes() throws Exception {
        JsonNode root = probeJson();
        assertEquals(TOP_KEYS, Set.copyOf(names(root)));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), root.get("kernel").textValue());
        assertTrue(root.get("arch").isTextual());

        JsonNode u = root.get("io_uring");
        assertTrue(u.isObject());
        assertEquals(IO_URING_KEYS, Set.copyOf(names(u)));
        boolean available = u.get("available").booleanValue();
        assertTrue(u.get("available").isBoolean());
        assertEquals(available ? "io_uring" : "portable", root.get("backend").textValue());
        assertTrue(u.get("reason").isNull() || u.get("reason").isTextual());
        assertTrue(u.get("message").isNull() || u.get("message").isTextual());
        assertTrue(u.get("features").isArray());
        for (JsonNode f : u.get("features")) {
            Feature.valueOf(f.textValue()); // throws for a name the enum lacks
        }
        assertTrue(u.get("ops").isObject());
        u.get("ops").forEach(v -> assertTrue(v.isBoolean(), v.toString()));
        assertTrue(u.get("supported_count").isInt());
        assertTrue(u.get("last_op").isInt());
        assertTrue(u.get("probe_error").isNull() || u.get("probe_error").isTextual());
        for (String k : List.of("io_uring_disabled", "seccomp", "seccomp_filters")) {
            assertTrue(u.get(k).isNull() || u.get(k).isInt(), k + ": " + u.get(k));
        }
        JsonNode memlock = u.get("memlock");
        assertTrue(memlock.isNull() || memlock.isObject());
        if (memlock.isObject()) {
            assertEquals(Set.of("soft", "hard"), Set.copyOf(names(memlock)));
            memlock.forEach(v -> assertTrue(v.isIntegralNumber() || "unlimited".equals(v.textValue()), v.toString()));
        }
    }

    @Test
    void opsListEveryOpcodeInOpcodeOrder() throws Exception {
        List<String> expected = Arrays.stream(Opcode.values()).map(Enum::name).toList();
        assertEquals(63, expected.size());
        assertEquals(expected, names(probeJson().get("io_uring").get("ops")));
    }

    @Test
    void agreesWithTheLibrarysOwnProbe() throws Exception {
        JsonNode u = probeJson().get("io_uring");
        Probe probe;
        Set<Feature> features;
        try (Ring ring = Ring.open(4)) {
            probe = ring.probe();
            features = ring.features();
        } catch (UringUnavailableException e) {
            // io_uring cannot be used here: the report must say so, and why
            assertFalse(u.get("available").booleanValue());
            assertEquals(e.reason().name(), u.get("reason").textValue());
            assertNotNull(u.get("message").textValue());
            return;
        }
        assertTrue(u.get("available").booleanValue());
        assertTrue(u.get("reason").isNull());
        assertEquals(probe.supportedCount(), u.get("supported_count").intValue());
        assertEquals(probe.lastOp(), u.get("last_op").intValue());
        int trueOps = 0;
        for (Opcode op : Opcode.values()) {
            boolean supported = u.get("ops").get(op.name()).booleanValue();
            assertEquals(probe.isSupported(op), supported, op.name());
            trueOps += supported ? 1 : 0;
        }
        assertEquals(probe.supportedOps().size(), trueOps);
        List<String> featureNames = new ArrayList<>();
        u.get("features").forEach(f -> featureNames.add(f.textValue()));
        assertEquals(features.stream().map(Enum::name).toList(), featureNames);
    }

    @Test
    void unavailableReportSaysWhyAndFallsBackToPortable() throws Exception {
        HostFacts host = new HostFacts("6.1.0", "amd64", 2, 0, 0, new HostFacts.Limit(65536, HostFacts.Limit.UNLIMITED));
        ProbeReport report = ProbeReport.unavailable(host, "DISABLED_BY_SYSCTL",
                "io_uring_setup: EPERM (Operation not permitted): disabled by kernel.io_uring_disabled = 2");
        StringWriter out = new StringWriter();
        JsonProbeWriter.write(report, out);
        JsonNode root = JSON.readTree(out.toString());
        assertEquals("portable", root.get("backend").textValue());
        JsonNode u = root.get("io_uring");
        assertEquals(IO_URING_KEYS, Set.copyOf(names(u)));
        assertFalse(u.get("available").booleanValue());
        assertEquals("DISABLED_BY_SYSCTL", u.get("reason").textValue());
        assertTrue(u.get("message").textValue().contains("EPERM"));
        assertEquals(0, u.get("features").size());
        assertEquals(Opcode.values().length, u.get("ops").size());
        u.get("ops").forEach(v -> assertFalse(v.booleanValue()));
        assertEquals(0, u.get("supported_count").intValue());
        assertEquals(2, u.get("io_uring_disabled").intValue());
        assertEquals(65536, u.get("memlock").get("soft").longValue());
        assertEquals("unlimited", u.get("memlock").get("hard").textValue());
    }

    @Test
    void unreadableHostFactsAreNull() throws Exception {
        HostFacts host = new HostFacts("6.18.0", "amd64", null, null, null, null);
        ProbeReport report = new ProbeReport(host, true, null, null, EnumSet.of(Feature.NODROP),
                EnumSet.of(Opcode.NOP, Opcode.PIPE), 3, 70, null);
        StringWriter out = new StringWriter();
        JsonProbeWriter.write(report, out);
        JsonNode u = JSON.readTree(out.toString()).get("io_uring");
        for (String k : List.of("io_uring_disabled", "seccomp", "seccomp_filters", "memlock")) {
            assertTrue(u.get(k).isNull(), k);
        }
        // the count includes the op this uring4j has no name for; the map only names known ones
        assertEquals(3, u.get("supported_count").intValue());
        assertTrue(u.get("ops").get("PIPE").booleanValue());
        assertFalse(u.get("ops").get("READ").booleanValue());
    }
}
