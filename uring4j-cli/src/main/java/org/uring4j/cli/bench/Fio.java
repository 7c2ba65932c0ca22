package org.uring4j.cli.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Runs fio with the job a {@link BenchSpec} describes, for a side-by-side ratio. */
final class Fio {
    private Fio() {
    }

    /** True if an {@code fio} command is on the PATH. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("fio", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The fio command line for {@code spec} with fio's io_uring engine (or psync for the JDK's FileChannel). */
    static List<String> command(BenchSpec spec) {
        List<String> cmd = new ArrayList<>(List.of("fio", "--name=uring4j", "--filename=" + spec.file(),
                "--rw=" + spec.rw().fio(), "--bs=" + spec.bs(), "--size=" + spec.size(),
                "--direct=" + (spec.direct() ? 1 : 0), "--numjobs=" + spec.threads(), "--group_reporting",
                "--time_based", "--runtime=" + Math.max(1, Math.round(spec.seconds())), "--output-format=json",
                "--randrepeat=0", "--norandommap", "--invalidate=0")); // fio would drop the page cache first
        if (spec.engine() == Engine.Kind.FILECHANNEL) {
            cmd.add("--ioengine=psync");
        } else {
            cmd.addAll(List.of("--ioengine=io_uring", "--iodepth=" + spec.qd(), "--iodepth_batch_submit=1",
                    "--iodepth_batch_complete_min=1"));
            if (spec.engine() == Engine.Kind.URING_FIXED) {
                cmd.addAll(List.of("--fixedbufs=1", "--registerfiles=1"));
            }
            if (spec.sqpoll()) {
                cmd.add("--sqthread_poll=1");
            }
        }
        return cmd;
    }

    /** Runs fio and returns the IOPS it reports (reads + writes). */
    static double iops(BenchSpec spec) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(spec)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(Math.round(spec.seconds()) + 120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("fio failed: " + String.join(" ", command(spec)));
        }
        double iops = 0;
        try (JsonParser json = new JsonFactory().createParser(out)) {
            // jobs[0].read.iops + jobs[0].write.iops (root object depth 1, job 2, read/write 3)
            String section = null;
            int depth = 0;
            for (JsonToken t = json.nextToken(); t != null; t = json.nextToken()) {
                if (t == JsonToken.START_OBJECT) {
                    depth++;
                } else if (t == JsonToken.END_OBJECT) {
                    depth--;
                } else if (t == JsonToken.FIELD_NAME) {
                    String name = json.currentName();
                    if (depth == 2 && (name.equals("read") || name.equals("write"))) {
                        section = name;
                    } else if (depth == 3 && section != null && name.equals("iops")) {
                        json.nextToken();
                        iops += json.getDoubleValue();
                    } else if (depth == 2) {
                        section = null;
                    }
                }
            }
        }
        return iops;
    }
}
