package org.uring4j.cli;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import org.uring4j.UringException;
import org.uring4j.UringUnavailableException;
import org.uring4j.ring.Feature;
import org.uring4j.ring.Opcode;
import org.uring4j.ring.Probe;
import org.uring4j.ring.Ring;

/**
 * What {@code uring4j probe} found: whether a ring opens here (and if not, why), its features and
 * the ops the kernel supports. Rendered by {@link HumanProbeWriter} and {@link JsonProbeWriter}.
 *
 * @param host           facts read from procfs
 * @param available      whether io_uring_setup succeeded
 * @param reason         null if available, else a {@link UringUnavailableException.Reason} name
 *                       ({@code OTHER} for any other setup failure)
 * @param message        null if available, else the failure's message (syscall, errno, why)
 * @param features       the ring's IORING_FEAT_* flags (empty if unavailable)
 * @param supportedOps   the {@link Opcode}s the kernel supports (empty if unavailable)
 * @param supportedCount how many opcodes the kernel supports, ones newer than {@link Opcode} included
 * @param lastOp         the probe's {@code last_op}, or -1 if there was no probe
 * @param probeError     null, or why IORING_REGISTER_PROBE failed on a ring that opened (before 5.6)
 */
record ProbeReport(HostFacts host, boolean available, String reason, String message, Set<Feature> features,
                   Set<Opcode> supportedOps, int supportedCount, int lastOp, String probeError) {

    /** A small ring is enough to learn features and ops. */
    private static final int RING_ENTRIES = 4;

    ProbeReport {
        features = Collections.unmodifiableSet(copy(features, Feature.class));
        supportedOps = Collections.unmodifiableSet(copy(supportedOps, Opcode.class));
    }

    /** Opens a ring on this machine and reports what it finds; never throws for "io_uring unavailable". */
    static ProbeReport collect() {
        HostFacts host = HostFacts.read();
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return unavailable(host, UringUnavailableException.Reason.UNSUPPORTED_PLATFORM.name(),
                    "io_uring is a Linux interface and this is " + os);
        }
        try (Ring ring = Ring.open(RING_ENTRIES)) {
            Set<Feature> features = ring.features();
            try {
                Probe p = ring.probe();
                return new ProbeReport(host, true, null, null, features, p.supportedOps(), p.supportedCount(),
                        p.lastOp(), null);
            } catch (UringException e) {
                return new ProbeReport(host, true, null, null, features, Set.of(), 0, -1, e.getMessage());
            }
        } catch (UringUnavailableException e) {
            return unavailable(host, e.reason().name(), e.getMessage());
        } catch (UringException e) {
            return unavailable(host, UringUnavailableException.Reason.OTHER.name(), e.getMessage());
        }
    }

    /** A report for a process where io_uring cannot be used. */
    static ProbeReport unavailable(HostFacts host, String reason, String message) {
        return new ProbeReport(host, false, reason, message, Set.of(), Set.of(), 0, -1, null);
    }

    /** "io_uring" where a ring opens, else "portable" (the backend uring4j falls back on). */
    String backend() {
        return available ? "io_uring" : "portable";
    }

    boolean supports(Opcode op) {
        return supportedOps.contains(op);
    }

    /** Supported opcodes this uring4j has no {@link Opcode} for (a kernel newer than 6.18). */
    int unknownSupported() {
        return supportedCount - supportedOps.size();
    }

    private static <E extends Enum<E>> EnumSet<E> copy(Set<E> set, Class<E> type) {
        return set.isEmpty() ? EnumSet.noneOf(type) : EnumSet.copyOf(set);
    }
}
