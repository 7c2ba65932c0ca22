package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.uring4j.UringException;

/**
 * What a kernel older than the op or flag says: a bare EINVAL, which uring4j turns into the name
 * of what is missing and the Linux release that has it. The old kernel is played by a predicate or
 * a probe with bits cleared; the real kernel checks that nothing it has is called missing.
 */
class OlderKernelMessagesTest {

    @Test
    void aSetupFlagTheKernelLacksIsNamedWithItsRelease() {
        int flags = Uapi.IORING_SETUP_NO_SQARRAY | Uapi.IORING_SETUP_SINGLE_ISSUER | Uapi.IORING_SETUP_DEFER_TASKRUN;
        String lacking = SetupFlag.lacking(flags, f -> (f & Uapi.IORING_SETUP_NO_SQARRAY) == 0); // as Linux 6.1 answers
        assertEquals("this kernel lacks IORING_SETUP_NO_SQARRAY (Linux 6.6+)", lacking);
        assertEquals("SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY", SetupFlag.names(flags));
        assertNull(SetupFlag.lacking(flags, f -> true), "each taken alone: the combination is what is refused");
        assertTrue(SetupFlag.lacking(Uapi.IORING_SETUP_SQ_AFF | Uapi.IORING_SETUP_SQPOLL,
                f -> f != (Uapi.IORING_SETUP_SQ_AFF | Uapi.IORING_SETUP_SQPOLL)).contains("IORING_SETUP_SQ_AFF (Linux 5.1+)"),
                "SQ_AFF is tried with the SQPOLL it needs");
    }

    @Test
    void thisKernelIsNotSaidToLackAFlagItSetsUpWith() throws Exception {
        KernelAssumptions.probe();
        List<UnaryOperator<RingOptions>> setters = List.of(RingOptions::clamp, RingOptions::submitAll,
                RingOptions::coopTaskrun, o -> o.coopTaskrun().taskrunFlag(), RingOptions::sqe128, RingOptions::cqe32,
                RingOptions::singleIssuer, RingOptions::deferTaskrun, RingOptions::noSqArray, RingOptions::disabled,
                RingOptions::cqeMixed, o -> o.cqSize(16), RingOptions::ioPoll);
        for (UnaryOperator<RingOptions> set : setters) {
            RingOptions o = set.apply(new RingOptions(4));
            boolean opens;
            try (Ring ring = Ring.open(o)) {
                opens = true;
            } catch (UringException e) {
                opens = e.errno() != 22;
                assertTrue(opens || e.getMessage().contains("this kernel lacks IORING_SETUP_"), e.getMessage());
            }
            assertEquals(opens, SetupFlag.lacking(o.setupFlags(), Ring::kernelAccepts) == null,
                    SetupFlag.names(o.setupFlags()));
        }
    }

    @Test
    void anOpTheProbeLacksIsNamedWithItsRelease() {
        BitSet ops = new BitSet();
        for (Opcode op : Opcode.values()) {
            if (op.ordinal() < Opcode.READ_MULTISHOT.ordinal()) {
                ops.set(op.code()); // the ops of Linux 6.1
            }
        }
        Probe linux61 = new Probe(Opcode.SENDMSG_ZC.code(), ops);
        assertEquals("this kernel lacks IORING_OP_FTRUNCATE (Linux 6.9+)", linux61.lacking("FTRUNCATE"));
        assertEquals("this kernel lacks IORING_OP_FIXED_FD_INSTALL (Linux 6.8+)", linux61.lacking("FIXED_FD_INSTALL"));
        assertNull(linux61.lacking("READ"), "an op it has");
        assertNull(linux61.lacking("ftruncate"), "a syscall, not an op");
    }

    @Test
    void theTestSwitchPretendsAnOpIsMissing() {
        KernelAssumptions.assumeOp(Opcode.FTRUNCATE);
        assertTrue(Probe.kernelSupports(Opcode.FTRUNCATE));
        assertNull(Probe.kernelLacks("FTRUNCATE"));
        System.setProperty(Probe.WITHOUT_PROPERTY, "WAITID,FTRUNCATE");
        try {
            assertEquals(false, Probe.kernelSupports(Opcode.FTRUNCATE));
            assertEquals("this kernel lacks IORING_OP_FTRUNCATE (Linux 6.9+)", Probe.kernelLacks("FTRUNCATE"));
        } finally {
            System.clearProperty(Probe.WITHOUT_PROPERTY);
        }
    }

    @Test
    void aRegisterOpcodeNewerThanTheKernelIsNamedWithItsRelease() {
        assertTrue(Ring.compareReleases("6.1.0-28-amd64", "6.8") < 0);
        assertTrue(Ring.compareReleases("6.18.2", "6.8") > 0);
        assertEquals(0, Ring.compareReleases("6.8.0-rc1", "6.8"));
        String running = Ring.kernelRelease();
        if (running != null && Ring.compareReleases(running, "6.8") >= 0) {
            assertNull(Ring.registerLacks(Uapi.IORING_REGISTER_PBUF_STATUS, "IORING_REGISTER_PBUF_STATUS"));
        }
        assertNull(Ring.registerLacks(Uapi.IORING_REGISTER_PROBE, "IORING_REGISTER_PROBE"), "older than the table");
    }
}
