package org.uring4j.ring;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which operations the running kernel supports ({@code IORING_REGISTER_PROBE};
 * {@code io_uring_get_probe_ring} in liburing). Take it from {@link Ring#probe()}.
 */
public final class Probe {
    private final int lastOp;
    private final BitSet supported;

    Probe(int lastOp, BitSet supported) {
        this.lastOp = lastOp;
        this.supported = (BitSet) supported.clone();
    }

    /** The highest opcode number the kernel knows ({@code probe->last_op}). */
    public int lastOp() {
        return lastOp;
    }

    /** Whether the kernel supports {@code op}. */
    public boolean isSupported(Opcode op) {
        return supported.get(op.code());
    }

    /** Whether the kernel supports opcode number {@code code}, including ones newer than this library. */
    public boolean isSupported(int code) {
        return code >= 0 && supported.get(code);
    }

    /** How many opcodes the kernel marks supported, including any newer than {@link Opcode} knows. */
    public int supportedCount() {
        return supported.cardinality();
    }

    /** The supported operations that {@link Opcode} names. */
    public Set<Opcode> supportedOps() {
        EnumSet<Opcode> set = EnumSet.noneOf(Opcode.class);
        for (Opcode op : Opcode.values()) {
            if (isSupported(op)) {
                set.add(op);
            }
        }
        return set;
    }

    @Override
    public String toString() {
        return "Probe[lastOp=" + lastOp + ", supported=" + supportedCount() + "]";
    }
}
