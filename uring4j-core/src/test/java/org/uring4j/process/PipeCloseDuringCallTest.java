package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;
import static org.uring4j.process.ProcTestSupport.get;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.uring4j.fs.Backend;

/**
 * Closing a pipe while a call waits on it ends the call with AsynchronousCloseException, as a
 * file's close does: a blocking read threw an unchecked CancellationException, returned before the
 * kernel had let go of its memory (a confined arena its owner then closes), and a read that had
 * already completed in the kernel lost its bytes.
 */
class PipeCloseDuringCallTest extends SharedRuntimeTest {

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBlockingReadClosedUnderEndsWithAsynchronousCloseException(Backend backend) throws Exception {
        Child c = start(Spawn.command("sleep", "100").stdout(Redirect.PIPE), backend);
        try {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment dst = arena.allocate(64);
                    outcome.complete(new AssertionError("read " + c.stdout().read(dst) + " bytes from a silent child"));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            while (reader.getState() != Thread.State.WAITING && !outcome.isDone()) {
                Thread.sleep(1); // until the reader waits for its read
            }
            c.stdout().close();
            assertInstanceOf(AsynchronousCloseException.class, get(outcome));
        } finally {
            c.kill();
            exit(c);
            c.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void pendingReadsAndWritesClosedUnderFailWithAsynchronousCloseException(Backend backend) throws Exception {
        Child c = start(Spawn.command("sleep", "100").stdin(Redirect.PIPE).stdout(Redirect.PIPE), backend);
        try {
            java.util.List<CompletableFuture<?>> pending = new java.util.ArrayList<>();
            pending.add(c.stdout().readAsync(new byte[16], 0, 16));
            if (backend == Backend.IO_URING) {
                // More than the pipe holds. (Not on the portable backend, whose stdin, as a Process's,
                // closes only once a write blocked on it has ended: here, when sleep exits.)
                pending.add(c.stdin().writeFullyAsync(MemorySegment.ofArray(new byte[1 << 20])));
            }
            c.close();
            for (CompletableFuture<?> f : pending) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> get(f));
                assertTrue(e.getCause() instanceof java.nio.channels.ClosedChannelException, "ended with " + e.getCause());
            }
        } finally {
            c.kill();
            exit(c);
        }
    }

    @org.junit.jupiter.api.Test
    void callsOnAPipeWhoseRuntimeClosedFailWithClosedChannelException() throws Exception {
        // As a file's calls do then: they threw the loop's unchecked RuntimeClosedException from
        // read() and writeFully(), which declare IOException.
        org.uring4j.runtime.UringRuntime own = org.uring4j.runtime.UringRuntime.open(1, new org.uring4j.runtime.LoopOptions());
        Child c = Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start(own);
        try {
            own.close();
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> c.stdout().read(new byte[4], 0, 4));
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> c.stdin().writeFully(new byte[4]));
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(c.stdout().readAsync(new byte[4], 0, 4)));
            assertInstanceOf(java.nio.channels.ClosedChannelException.class, e.getCause());
        } finally {
            c.kill();
            exit(c);
            c.close();
        }
    }
}
