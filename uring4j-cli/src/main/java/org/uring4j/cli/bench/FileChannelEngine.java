package org.uring4j.cli.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The JDK's FileChannel: positional read/write with a direct buffer (no copy), one request in
 * flight per thread, since the calls block (fio's psync engine). O_DIRECT through
 * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}.
 */
final class FileChannelEngine implements Engine {

    static Set<OpenOption> options(BenchSpec spec) {
        Set<OpenOption> o = new HashSet<>();
        o.add(StandardOpenOption.READ);
        if (spec.rw().writes()) {
            o.add(StandardOpenOption.WRITE);
        }
        if (spec.direct()) {
            o.add(com.sun.nio.file.ExtendedOpenOption.DIRECT);
        }
        return o;
    }

    static ByteBuffer buffer(BenchSpec spec) {
        ByteBuffer b = ByteBuffer.allocateDirect(spec.bs() + 4096).alignedSlice(4096);
        b.limit(spec.bs());
        return b;
    }

    @Override
    public long run(BenchSpec spec, int thread, long deadline, ThreadStats stats) throws Exception {
        Workload workload = new Workload(spec, thread);
        ByteBuffer buf = buffer(spec);
        long done = 0;
        try (FileChannel ch = FileChannel.open(spec.file(), options(spec))) {
            long now = System.nanoTime();
            do { // at least one request, as the asynchronous engines issue theirs up front: a thread started late on a busy machine still measures
                long off = workload.nextOffset();
                buf.clear().limit(spec.bs());
                int n = workload.nextIsWrite() ? ch.write(buf, off) : ch.read(buf, off);
                if (n != spec.bs()) {
                    throw new IllegalStateException("short transfer: " + n + " of " + spec.bs() + " at " + off);
                }
                long t = System.nanoTime();
                stats.record(t - now, 1);
                now = t;
                done++;
            } while (now < deadline);
        }
        return done;
    }
}
