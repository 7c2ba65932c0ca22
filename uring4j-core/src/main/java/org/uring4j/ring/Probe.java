package org.uring4j.ring;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.Set;

import org.uring4j.UringException;

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

    /**
     * Why an op named {@code opName} ("FTRUNCATE", as {@link Opcode} spells it) is refused here,
     * if this kernel lacks it: {@code "this kernel lacks IORING_OP_FTRUNCATE (Linux 6.9+)"}; null
     * if the kernel has it or no op has that name. A kernel fails an op it does not know with a
     * bare EINVAL, which this turns into the reason.
     */
    public String lacking(String opName) {
        Opcode op;
        try {
            op = Opcode.valueOf(opName);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return isSupported(op) ? null : "this kernel lacks IORING_OP_" + op + " (Linux " + op.since() + "+)";
    }

    /**
     * The running kernel's probe, taken once per process from a small ring of its own: the ops a
     * kernel supports do not change while it runs, and a ring in use (SINGLE_ISSUER) may not be
     * registered on from another thread.
     *
     * @throws UringException if io_uring cannot be used here
     */
    public static Probe ofKernel() throws UringException {
        Probe p = kernel;
        if (p == null) {
            synchronized (Probe.class) {
                p = kernel;
                if (p == null) {
                    try (Ring ring = Ring.open(1)) {
                        kernel = p = ring.probe();
                    }
                }
            }
        }
        return p;
    }

    private static volatile Probe kernel;

    /**
     * System property: ops, comma-separated ({@code FTRUNCATE,FIXED_FD_INSTALL}), that
     * {@link #kernelSupports} and {@link #kernelLacks} treat as missing, so that tests exercise on a
     * new kernel the fallbacks and messages of an old one. Read at each call.
     */
    public static final String WITHOUT_PROPERTY = "org.uring4j.probe.without";

    /** Whether the running kernel supports {@code op}; false where io_uring cannot be used at all. */
    public static boolean kernelSupports(Opcode op) {
        try {
            return ofKernel().isSupported(op) && !pretendsMissing(op.name());
        } catch (UringException e) {
            return false;
        }
    }

    /** {@link #lacking(String)} on {@link #ofKernel()}; null where io_uring cannot be used at all. */
    public static String kernelLacks(String opName) {
        try {
            Probe p = ofKernel();
            if (pretendsMissing(opName)) {
                p = p.without(Opcode.valueOf(opName));
            }
            return p.lacking(opName);
        } catch (UringException e) {
            return null;
        }
    }

    private static boolean pretendsMissing(String opName) {
        String without = System.getProperty(WITHOUT_PROPERTY);
        return without != null && java.util.Arrays.asList(without.split(",")).contains(opName);
    }

    /** This probe with {@code op} unsupported. */
    Probe without(Opcode op) {
        BitSet s = (BitSet) supported.clone();
        s.clear(op.code());
        return new Probe(lastOp, s);
    }

    @Override
    public String toString() {
        return "Probe[lastOp=" + lastOp + ", supported=" + supportedCount() + "]";
    }
}
