package org.uring4j.runtime;

import java.util.BitSet;

import org.uring4j.UringException;
import org.uring4j.ring.Ring;
import org.uring4j.sys.Syscalls;

/**
 * A loop's registered file table (seed 002): a sparse table of direct descriptors that files
 * opened through the loop go into, so that each op on them skips the fd-table lookup and
 * reference counting of a plain descriptor.
 *
 * <p>Slots are handed out here, not by the kernel, so that a chain of linked ops (open, read,
 * close) can name the slot before the open has run. A slot is given back only after the CLOSE
 * that empties it has completed, so it is never reused under a running op. Loop-thread only.
 */
public final class FixedFileTable {
    private final int size;
    private final BitSet used;
    private boolean active;

    FixedFileTable(int wanted) {
        this.size = sizeFor(wanted);
        this.used = new BitSet(size);
    }

    /**
     * The slots a table asked for {@code wanted} gets: no more than this process's soft
     * RLIMIT_NOFILE, which the kernel holds a registered table to (IORING_REGISTER_FILES fails
     * with EMFILE above it: {@code ulimit -n 1024}, common in containers and systemd units, would
     * otherwise leave the table inactive).
     */
    public static int sizeFor(int wanted) {
        long limit = Syscalls.openFilesLimit();
        return limit < 0 ? wanted : (int) Math.min(wanted, limit);
    }

    /**
     * Registers the (empty) table with the ring; a kernel that refuses leaves the table inactive.
     * Either way nothing fails for want of a slot: whole-file chains and opens fall back on plain
     * descriptors when the table is full or inactive.
     */
    void register(Ring ring) {
        if (size == 0) {
            return;
        }
        try {
            ring.registerFilesSparse(size);
            active = true;
        } catch (UringException e) {
            active = false; // pre-5.19 kernels without sparse tables, or no memory: plain fds then
        }
    }

    /** Drops the table: the kernel lets go of every file still in it before this returns. */
    void unregister(Ring ring) throws UringException {
        if (active) {
            active = false;
            ring.unregisterFiles();
        }
    }

    /** Number of slots. */
    public int size() {
        return active ? size : 0;
    }

    /** Slots in use. */
    public int inUse() {
        return used.cardinality();
    }

    /** A free slot, now reserved, or -1 if the table is full or inactive. */
    public int allocate() {
        if (!active) {
            return -1;
        }
        int slot = used.nextClearBit(0);
        if (slot >= size) {
            return -1;
        }
        used.set(slot);
        return slot;
    }

    /** Gives back {@code slot}: its CLOSE has completed (or the open into it failed). */
    public void free(int slot) {
        used.clear(slot);
    }
}
