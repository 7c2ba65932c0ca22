package org.uring4j;

/**
 * io_uring cannot be used in this process, and why.
 *
 * <p>The reasons are told apart because each has a different fix: a sysctl, a container's seccomp
 * profile, a kernel upgrade or a memlock limit.
 */
public final class UringUnavailableException extends UringException {
    private static final long serialVersionUID = 1L;

    /** Why io_uring is unavailable. */
    public enum Reason {
        /** {@code kernel.io_uring_disabled} is 2, or 1 and we are not in {@code io_uring_group}. */
        DISABLED_BY_SYSCTL,
        /** io_uring_setup was refused with EPERM/ENOSYS while the kernel has io_uring: a seccomp filter. */
        BLOCKED_BY_SECCOMP,
        /** The kernel has no io_uring (ENOSYS and no sysctl), or lacks a feature uring4j needs. */
        KERNEL_TOO_OLD,
        /** The ring memory could not be locked: RLIMIT_MEMLOCK is too low for this kernel. */
        MEMLOCK_LIMIT,
        /** Not Linux, or not a processor architecture uring4j knows the syscall numbers of. */
        UNSUPPORTED_PLATFORM,
        /** Anything else: the errno says more. */
        OTHER
    }

    private final Reason reason;

    public UringUnavailableException(Reason reason, int errno, String detail) {
        super("io_uring_setup", errno, NO_FD, null, detail);
        this.reason = reason;
    }

    /** The classified reason. */
    public Reason reason() {
        return reason;
    }
}
