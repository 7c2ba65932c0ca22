package org.uring4j.ring;

/**
 * The file an operation acts on: a plain file descriptor, or a slot in the ring's registered
 * (fixed) file table. Preparing an op with a {@link Fixed} sets {@code IOSQE_FIXED_FILE} for you,
 * as liburing's callers do by hand.
 *
 * <p>Small values are cached, so {@code Fd.raw(fd)} and {@code Fd.fixed(slot)} allocate nothing
 * for the first 1024 descriptors and slots; keep the object with the file for larger ones.
 */
public sealed interface Fd permits Fd.Raw, Fd.Fixed {

    /** The number the kernel sees in {@code sqe->fd}: a descriptor or a slot index. */
    int value();

    /** True for a registered-file slot. */
    boolean isFixed();

    /** A plain file descriptor (or {@link Uapi#AT_FDCWD} where a directory is expected). */
    static Fd raw(int fd) {
        return fd >= 0 && fd < Cache.SIZE ? Cache.RAW[fd] : new Raw(fd);
    }

    /** A slot of the registered file table. */
    static Fd fixed(int slot) {
        return slot >= 0 && slot < Cache.SIZE ? Cache.FIXED[slot] : new Fixed(slot);
    }

    /** A plain file descriptor. */
    record Raw(int fd) implements Fd {
        @Override
        public int value() {
            return fd;
        }

        @Override
        public boolean isFixed() {
            return false;
        }

        @Override
        public String toString() {
            return "fd " + fd;
        }
    }

    /** A registered-file slot. */
    record Fixed(int slot) implements Fd {
        public Fixed {
            if (slot < 0) {
                throw new IllegalArgumentException("fixed file slot must not be negative: " + slot);
            }
        }

        @Override
        public int value() {
            return slot;
        }

        @Override
        public boolean isFixed() {
            return true;
        }

        @Override
        public String toString() {
            return "fixed slot " + slot;
        }
    }

    /** Holder of the cached instances, initialised on first use. */
    final class Cache {
        private Cache() {
        }

        static final int SIZE = 1024;
        static final Raw[] RAW = new Raw[SIZE];
        static final Fixed[] FIXED = new Fixed[SIZE];

        static {
            for (int i = 0; i < SIZE; i++) {
                RAW[i] = new Raw(i);
                FIXED[i] = new Fixed(i);
            }
        }
    }
}
