package org.uring4j.ring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.uring4j.UringException;
import org.uring4j.sys.Syscalls;

/**
 * Skips (never fails) a test whose kernel feature is missing, saying which. Tests against the
 * real kernel call these first.
 */
public final class KernelAssumptions {
    private KernelAssumptions() {
    }

    private static Probe probe;

    /** The kernel's probe, taken once; skips the test if io_uring is unavailable here. */
    public static synchronized Probe probe() {
        if (probe == null) {
            try (Ring ring = Ring.open(2)) {
                probe = ring.probe();
            } catch (UringException e) {
                assumeTrue(false, "io_uring unavailable: " + e.getMessage());
            }
        }
        return probe;
    }

    /** Skips unless the kernel supports {@code op}. */
    public static void assumeOp(Opcode op) {
        assumeTrue(probe().isSupported(op), "kernel lacks IORING_OP_" + op + " (added in " + op.since() + ")");
    }

    private static Boolean nopInjectsResults;

    /**
     * Skips unless a NOP completes with the result IORING_NOP_INJECT_RESULT asks for (Linux 6.9+):
     * older kernels ignore the flag and complete it with 0. No probe bit tells, so one NOP does.
     */
    public static synchronized void assumeNopInjectsResults() throws UringException {
        if (nopInjectsResults == null) {
            probe();
            try (Ring ring = Ring.open(2)) {
                ring.getSqe().prepNop(7);
                ring.submitAndWait(1);
                nopInjectsResults = ring.waitCqe().res() == 7;
            }
        }
        assumeTrue(nopInjectsResults, "kernel ignores IORING_NOP_INJECT_RESULT (added in 6.9)");
    }

    /** Skips unless {@code ring} has {@code feature}. */
    public static void assumeFeature(Ring ring, Feature feature) {
        assumeTrue(ring.hasFeature(feature), "kernel lacks IORING_FEAT_" + feature);
    }

    /** Opens a ring with {@code options}, skipping if the kernel rejects them with EINVAL (a flag it lacks). */
    public static Ring openOrSkip(RingOptions options, String what) throws UringException {
        try {
            return Ring.open(options);
        } catch (UringException e) {
            assumeTrue(e.errno() != 22, "kernel rejects " + what + ": " + e.getMessage());
            throw e;
        }
    }

    /** Skips unless running as root (euid 0). */
    public static void assumeRoot() {
        assumeTrue(Syscalls.geteuid() == 0, "needs root");
    }
}
