package org.uring4j.cli.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One benchmark job, fio's vocabulary: what to do ({@link Rw}), in blocks of {@code bs} bytes,
 * {@code qd} requests in flight per thread, over the first {@code size} bytes of {@code file},
 * for {@code seconds}, on {@code threads} threads, with {@code engine}.
 */
public record BenchSpec(Rw rw, int bs, int qd, long size, double seconds, Path file, boolean direct, int threads,
                        Engine.Kind engine, boolean sqpoll) {

    /** fio's --rw values, and nop (raw ring throughput). */
    public enum Rw {
        READ, WRITE, RANDREAD, RANDWRITE, RANDRW, NOP;

        boolean random() {
            return this == RANDREAD || this == RANDWRITE || this == RANDRW;
        }

        boolean writes() {
            return this == WRITE || this == RANDWRITE || this == RANDRW;
        }

        boolean reads() {
            return this == READ || this == RANDREAD || this == RANDRW;
        }

        /** fio's spelling. */
        public String fio() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public BenchSpec {
        if (bs <= 0 || qd <= 0 || threads <= 0 || seconds <= 0) {
            throw new IllegalArgumentException("bs, qd, threads and time must be positive");
        }
        if (rw != Rw.NOP && size < bs) {
            throw new IllegalArgumentException("size (" + size + ") must hold at least one block of " + bs + " bytes");
        }
        if (direct && bs % 512 != 0) {
            throw new IllegalArgumentException("O_DIRECT needs a block size that is a multiple of 512 (better 4096): " + bs);
        }
    }

    /** The same job with another engine. */
    public BenchSpec with(Engine.Kind kind) {
        return new BenchSpec(rw, bs, qd, size, seconds, file, direct, threads, kind, sqpoll);
    }

    /** The same job with another queue depth. */
    public BenchSpec withQd(int depth) {
        return new BenchSpec(rw, bs, depth, size, seconds, file, direct, threads, engine, sqpoll);
    }

    /**
     * The same requests in flight for a synchronous engine (FileChannel, one call per thread in
     * flight): {@code threads * qd} threads at depth 1. Other engines keep the job as it is.
     */
    public BenchSpec sameInFlight() {
        return engine == Engine.Kind.FILECHANNEL && qd > 1
                ? new BenchSpec(rw, bs, 1, size, seconds, file, direct, threads * qd, engine, sqpoll) : this;
    }

    /** The same job with or without O_DIRECT. */
    public BenchSpec withDirect(boolean d) {
        return new BenchSpec(rw, bs, qd, size, seconds, file, d, threads, engine, sqpoll);
    }

    /** Blocks in the file's first {@code size} bytes. */
    long blocks() {
        return size / bs;
    }
}
