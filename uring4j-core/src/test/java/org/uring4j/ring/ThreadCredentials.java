package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code on a fresh platform thread whose filesystem uid/gid are changed with setfsuid(2) /
 * setfsgid(2). Linux credentials belong to each thread, and glibc only makes setuid() and friends
 * process-wide by signalling every thread; setfsuid/setfsgid stay per-thread. So this changes the
 * credentials of that one short-lived thread, never the JVM's (which a test must not do: the JVM
 * would keep running other tests as another user). Needs root.
 */
final class ThreadCredentials {
    private ThreadCredentials() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SETFSUID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("setfsuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETFSGID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("setfsgid").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** Runs {@code task} on a new thread with fsuid/fsgid {@code id}, restoring them before the thread ends. */
    static <T> T callAs(int id, Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("fsuid-" + id).start(() -> {
            int oldGid = setfsgid(id); // gid first: it needs CAP_SETGID, which a non-zero fsuid drops
            int oldUid = setfsuid(id);
            try {
                // setfs*id(-1) changes nothing and returns the current value: check the switch took.
                if (setfsuid(-1) != id || setfsgid(-1) != id) {
                    throw new IllegalStateException("setfsuid/setfsgid(" + id + ") did not take");
                }
                result.set(task.call());
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                setfsuid(oldUid);
                setfsgid(oldGid);
            }
        });
        t.join(30_000);
        if (t.isAlive()) {
            throw new AssertionError("thread running as fsuid " + id + " did not finish");
        }
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    private static int setfsuid(int id) {
        try {
            return (int) SETFSUID.invokeExact(id);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int setfsgid(int id) {
        try {
            return (int) SETFSGID.invokeExact(id);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
