package org.uring4j.cli.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * RLIMIT_NOFILE: many connections need as many descriptors. The soft limit is raised up to the
 * hard one when it is too low (the JVM usually has done so at startup; a child JVM inherits it);
 * a hard limit too low is a failure that says what to do.
 */
final class FdLimit {
    private static final int RLIMIT_NOFILE = 7;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor RLIMIT_CALL = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
    private static final MethodHandle GETRLIMIT = LINKER.downcallHandle(LINKER.defaultLookup().find("getrlimit").orElseThrow(), RLIMIT_CALL);
    private static final MethodHandle SETRLIMIT = LINKER.downcallHandle(LINKER.defaultLookup().find("setrlimit").orElseThrow(), RLIMIT_CALL);

    private FdLimit() {
    }

    /** Makes sure this process (and the children it starts) may open {@code needed} descriptors. */
    static void ensure(long needed, String forWhat) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlim = arena.allocate(ValueLayout.JAVA_LONG, 2); // struct rlimit { rlim_cur, rlim_max }
            call(GETRLIMIT, rlim, "getrlimit");
            long soft = rlim.getAtIndex(ValueLayout.JAVA_LONG, 0);
            long hard = rlim.getAtIndex(ValueLayout.JAVA_LONG, 1);
            if (Long.compareUnsigned(soft, needed) >= 0) {
                return;
            }
            if (Long.compareUnsigned(hard, needed) < 0) {
                throw new IOException(forWhat + " needs about " + needed + " descriptors per process, but RLIMIT_NOFILE "
                        + "allows " + hard + " (hard limit): raise it (ulimit -Hn as root, LimitNOFILE= in a systemd "
                        + "unit, nofile in /etc/security/limits.conf) or ask for fewer connections");
            }
            rlim.setAtIndex(ValueLayout.JAVA_LONG, 0, hard);
            call(SETRLIMIT, rlim, "setrlimit");
        }
    }

    private static void call(MethodHandle h, MemorySegment rlim, String name) throws IOException {
        int r;
        try {
            r = (int) h.invokeExact(RLIMIT_NOFILE, rlim);
        } catch (Throwable t) {
            throw new IOException(name + "(RLIMIT_NOFILE) failed", t);
        }
        if (r != 0) {
            throw new IOException(name + "(RLIMIT_NOFILE) failed");
        }
    }
}
