package org.uring4j.cli;

import java.io.IOException;
import java.io.Writer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

import org.uring4j.ring.Feature;
import org.uring4j.ring.Opcode;
import org.uring4j.runtime.FixedFileTable;
import org.uring4j.runtime.LoopOptions;

/**
 * Writes a {@link ProbeReport} as one JSON object:
 * <pre>{@code
 * {"kernel": "6.18.0", "arch": "amd64", "backend": "io_uring",
 *  "io_uring": {"available": true, "reason": null, "message": null,
 *               "features": ["SINGLE_MMAP", ...], "ops": {"NOP": true, ..., "PIPE": true},
 *               "supported_count": 63, "last_op": 62, "probe_error": null,
 *               "io_uring_disabled": 0, "seccomp": 0, "seccomp_filters": 0,
 *               "memlock": {"soft": 8388608, "hard": 8388608}, "fixed_files": 4096}}
 * }</pre>
 * {@code ops} has every {@link Opcode} in opcode order (all false when unavailable). Host facts
 * that cannot be read are null; an unlimited memlock limit is the string {@code "unlimited"}.
 * {@code fixed_files} is the size of each event loop's registered file table (4096, or the soft
 * RLIMIT_NOFILE if lower).
 */
final class JsonProbeWriter {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET) // the writer belongs to picocli
            .build();

    /** Indented, with {@code "key": value} rather than Jackson's default {@code "key" : value}. */
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private JsonProbeWriter() {
    }

    static void write(ProbeReport r, Writer out) throws IOException {
        HostFacts host = r.host();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(PRETTY.createInstance()); // a fresh one: it counts nesting
            g.writeStartObject();
            g.writeStringField("kernel", host.kernel());
            g.writeStringField("arch", host.arch());
            g.writeStringField("backend", r.backend());
            g.writeObjectFieldStart("io_uring");
            g.writeBooleanField("available", r.available());
            g.writeStringField("reason", r.reason());
            g.writeStringField("message", r.message());
            g.writeArrayFieldStart("features");
            for (Feature f : r.features()) {
                g.writeString(f.name());
            }
            g.writeEndArray();
            g.writeObjectFieldStart("ops");
            for (Opcode op : Opcode.values()) {
                g.writeBooleanField(op.name(), r.supports(op));
            }
            g.writeEndObject();
            g.writeNumberField("supported_count", r.supportedCount());
            g.writeNumberField("last_op", r.lastOp());
            g.writeStringField("probe_error", r.probeError());
            writeInt(g, "io_uring_disabled", host.ioUringDisabled());
            writeInt(g, "seccomp", host.seccomp());
            writeInt(g, "seccomp_filters", host.seccompFilters());
            writeLimit(g, "memlock", host.memlock());
            g.writeNumberField("fixed_files", FixedFileTable.sizeFor(new LoopOptions().fixedFiles()));
            g.writeEndObject();
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
    }

    private static void writeInt(JsonGenerator g, String name, Integer value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value);
        }
    }

    private static void writeLimit(JsonGenerator g, String name, HostFacts.Limit limit) throws IOException {
        g.writeFieldName(name);
        if (limit == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        writeLimitValue(g, "soft", limit.soft());
        writeLimitValue(g, "hard", limit.hard());
        g.writeEndObject();
    }

    private static void writeLimitValue(JsonGenerator g, String name, long value) throws IOException {
        if (value == HostFacts.Limit.UNLIMITED) {
            g.writeStringField(name, "unlimited");
        } else {
            g.writeNumberField(name, value);
        }
    }
}
