package org.uring4j.cli.bench;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * What one run measured.
 *
 * @param spec       the job
 * @param seconds    wall time from the first request to the last completion
 * @param ops        requests completed
 * @param p50        latency percentiles, in nanoseconds (for nop: per batch of qd)
 * @param cpuSeconds process CPU time (user + system) spent during the run
 */
public record BenchResult(BenchSpec spec, double seconds, long ops, long p50, long p99, long p999, double cpuSeconds) {

    public double iops() {
        return ops / seconds;
    }

    public double bytesPerSecond() {
        return spec.rw() == BenchSpec.Rw.NOP ? 0 : iops() * spec.bs();
    }

    /** Writes the object {@code uring4j bench --json} prints for one run. */
    void writeJson(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("engine", spec.engine().label());
        g.writeStringField("rw", spec.rw().fio());
        g.writeNumberField("bs", spec.bs());
        g.writeNumberField("qd", spec.qd());
        g.writeBooleanField("direct", spec.direct());
        g.writeNumberField("threads", spec.threads());
        g.writeNumberField("seconds", seconds);
        g.writeNumberField("ops", ops);
        g.writeNumberField("iops", Math.round(iops()));
        g.writeNumberField("bw_bytes_per_s", Math.round(bytesPerSecond()));
        g.writeObjectFieldStart("lat_ns");
        g.writeNumberField("p50", p50);
        g.writeNumberField("p99", p99);
        g.writeNumberField("p999", p999);
        g.writeEndObject();
        g.writeNumberField("cpu_seconds", cpuSeconds);
        g.writeBooleanField("sqpoll", spec.sqpoll());
        g.writeNumberField("size", spec.size());
        if (spec.file() != null) {
            g.writeStringField("file", spec.file().toString());
        }
        g.writeEndObject();
    }
}
