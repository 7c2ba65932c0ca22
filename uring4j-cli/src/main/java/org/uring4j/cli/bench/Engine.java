package org.uring4j.cli.bench;

import java.util.Locale;

/** Runs one thread's share of a job and reports what it did. */
interface Engine {

    /** The engines of {@code uring4j bench --engine}. */
    enum Kind {
        /** Our raw ring, plain fd and buffers: the same shape as fio's io_uring engine. */
        URING("uring"),
        /** Our raw ring with the file and buffers registered (READ_FIXED/WRITE_FIXED). */
        URING_FIXED("uring-fixed"),
        /** The JDK's FileChannel positional read/write (synchronous: one request per thread in flight). */
        FILECHANNEL("filechannel"),
        /** The JDK's AsynchronousFileChannel with qd requests in flight. */
        ASYNCCHANNEL("asyncchannel"),
        /** uring4j's file API (AsyncFile futures) on io_uring: what the futures layer costs over the raw ring. */
        FILES("files"),
        /** uring4j's file API on its portable backend (for machines without io_uring): FileChannel calls on virtual threads. */
        PORTABLE("portable");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name on the command line. */
        public String label() {
            return label;
        }

        /** The engine named {@code s}, or null. */
        static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.label.equals(s.toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            return null;
        }

        /** The names, for messages: "uring, uring-fixed, ...". */
        static String labels() {
            return java.util.Arrays.stream(values()).map(Kind::label).collect(java.util.stream.Collectors.joining(", "));
        }
    }

    /**
     * Runs until {@code deadlineNanos} (System.nanoTime), recording each request's latency.
     *
     * @return requests completed
     */
    long run(BenchSpec spec, int thread, long deadlineNanos, ThreadStats stats) throws Exception;
}
