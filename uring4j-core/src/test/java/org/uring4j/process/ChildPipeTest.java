package org.uring4j.process;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;
import static org.uring4j.process.ProcTestSupport.get;
import static org.uring4j.process.ProcTestSupport.openFds;
import static org.uring4j.process.ProcTestSupport.text;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.UringException;

/** The pipes to and from a child: volume, integrity, end of stream, adapters, EPIPE, close under I/O, every buffer kind. */
class ChildPipeTest extends SharedRuntimeTest {


    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Child cat() throws Exception {
        return Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start(rt);
    }

    @Test
    void megabytesOnStdoutAndStderrAtOnceReadAsyncDoNotDeadlock() throws Exception {
        // The child alternates lines on both streams: reading one stream to the end before the
        // other would fill the other pipe and stop the child. Both read at once, nothing stops.
        int lines = 3000;
        String script = "L=$(head -c 1000 /dev/zero | tr '\\0' a); i=0; while [ $i -lt " + lines
                + " ]; do echo \"o$i $L\"; echo \"e$i $L\" >&2; i=$((i+1)); done";
        try (Child c = Spawn.command("sh", "-c", script).stdout(Redirect.PIPE).stderr(Redirect.PIPE).start(rt)) {
            CompletableFuture<byte[]> out = c.stdout().readAllBytesAsync();
            CompletableFuture<byte[]> err = c.stderr().readAllBytesAsync();
            String a = "a".repeat(1000);
            String[] o = text(get(out)).split("\n");
            String[] e = text(get(err)).split("\n");
            assertEquals(lines, o.length);
            assertEquals(lines, e.length);
            for (int i = 0; i < lines; i++) {
                assertEquals("o" + i + " " + a, o[i]);
                assertEquals("e" + i + " " + a, e[i]);
            }
            assertTrue(exit(c).success());
        }
    }

    @Test
    void everyByteValueSurvivesTheRoundTripThroughCat() throws Exception {
        byte[] data = new byte[256 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        try (Child c = cat()) {
            CompletableFuture<byte[]> out = c.stdout().readAllBytesAsync();
            c.stdin().writeFully(data);
            c.stdin().close();
            assertArrayEquals(data, get(out));
            assertTrue(exit(c).success());
        }
    }

    /** Writes {@code data} in chunks, each through a different kind of memory. */
    private static void writeInEveryKind(ChildInput in, byte[] data) throws Exception {
        Random r = new Random(7);
        int pos = 0;
        int kind = 0;
        while (pos < data.length) {
            int n = Math.min(data.length - pos, 1 + r.nextInt(200_000));
            switch (kind++ % 7) {
                case 0 -> in.writeFully(MemorySegment.ofArray(data).asSlice(pos, n));
                case 1 -> {
                    // a heap buffer whose array offset and position are not 0
                    byte[] big = new byte[n + 100];
                    System.arraycopy(data, pos, big, 50, n);
                    ByteBuffer b = ByteBuffer.wrap(big, 10, n + 80).slice().position(40).limit(40 + n);
                    while (b.hasRemaining()) {
                        int before = b.position();
                        int w = get(in.writeAsync(b));
                        assertEquals(before + w, b.position(), "position advanced by the bytes written");
                    }
                }
                case 2 -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(n + 3).position(3);
                    b.put(data, pos, n).position(3);
                    while (b.hasRemaining()) {
                        get(in.writeAsync(b));
                    }
                }
                case 3 -> {
                    MemorySegment s = Arena.global().allocate(n);
                    MemorySegment.copy(data, pos, s, JAVA_BYTE, 0, n);
                    in.writeFully(s);
                }
                case 4 -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment s = a.allocate(n);
                        MemorySegment.copy(data, pos, s, JAVA_BYTE, 0, n);
                        in.writeFully(s); // the blocking form: the async ones refuse confined memory
                    }
                }
                case 5 -> {
                    ByteBuffer ro = ByteBuffer.wrap(data, pos, n).asReadOnlyBuffer();
                    while (ro.hasRemaining()) {
                        get(in.writeAsync(ro));
                    }
                }
                default -> {
                    try (Arena a = Arena.ofShared()) {
                        ByteBuffer ro = a.allocate(n).asByteBuffer().put(0, data, pos, n).asReadOnlyBuffer();
                        while (ro.hasRemaining()) {
                            get(in.writeAsync(ro));
                        }
                    }
                }
            }
            pos += n;
        }
    }

    /** Reads until end of stream, each read into a different kind of memory. */
    private static byte[] readInEveryKind(ChildOutput out) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        Random r = new Random(11);
        for (int kind = 0; ; kind++) {
            int size = 1 + r.nextInt(100_000);
            int n;
            switch (kind % 6) {
                case 0 -> {
                    byte[] b = new byte[size + 20];
                    n = get(out.readAsync(b, 20, size));
                    if (n > 0) {
                        all.write(b, 20, n);
                    }
                }
                case 1 -> {
                    ByteBuffer b = ByteBuffer.allocate(size + 30).position(30);
                    n = get(out.readAsync(b));
                    assertEquals(30 + Math.max(n, 0), b.position());
                    if (n > 0) {
                        all.write(b.array(), 30, n);
                    }
                }
                case 2 -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(size);
                    n = get(out.readAsync(b));
                    if (n > 0) {
                        byte[] got = new byte[n];
                        b.flip().get(got);
                        all.write(got);
                    }
                }
                case 3 -> {
                    MemorySegment s = Arena.ofAuto().allocate(size);
                    n = get(out.readAsync(s));
                    if (n > 0) {
                        all.write(s.asSlice(0, n).toArray(JAVA_BYTE));
                    }
                }
                case 4 -> {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment s = a.allocate(size);
                        n = out.read(s); // the blocking form (the async ones refuse confined memory): this thread, its owner, waits
                        if (n > 0) {
                            all.write(s.asSlice(0, n).toArray(JAVA_BYTE));
                        }
                    }
                }
                default -> {
                    byte[] b = new byte[size];
                    n = out.read(MemorySegment.ofArray(b));
                    if (n > 0) {
                        all.write(b, 0, n);
                    }
                }
            }
            if (n < 0) {
                return all.toByteArray();
            }
            assertTrue(n > 0, "a read of a non-empty buffer returns bytes or -1");
        }
    }

    @Test
    void binaryDataThroughHeapNativeDirectAndConfinedMemory() throws Exception {
        byte[] data = random(3_000_000, 42);
        try (Child c = cat()) {
            CompletableFuture<byte[]> got = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    got.complete(readInEveryKind(c.stdout()));
                } catch (Throwable t) {
                    got.completeExceptionally(t);
                }
            });
            writeInEveryKind(c.stdin(), data);
            c.stdin().close();
            assertArrayEquals(data, get(got));
            assertTrue(exit(c).success());
        }
    }

    @Test
    void aLargeHeapArrayInOneWrite() throws Exception {
        byte[] data = random(16 << 20, 3); // beyond the pool's 1 MiB classes
        try (Child c = cat()) {
            CompletableFuture<byte[]> out = c.stdout().readAllBytesAsync();
            c.stdin().writeFully(data);
            c.stdin().close();
            assertArrayEquals(data, get(out));
            assertTrue(exit(c).success());
        }
    }

    @Test
    void afterEndOfStreamEveryReadIsMinusOne() throws Exception {
        try (Child c = Spawn.command("echo", "hi").stdout(Redirect.PIPE).start(rt)) {
            assertEquals("hi\n", text(c.stdout().readAllBytes()));
            byte[] b = new byte[8];
            for (int i = 0; i < 3; i++) {
                assertEquals(-1, c.stdout().read(b, 0, 8));
                assertEquals(-1, get(c.stdout().readAsync(ByteBuffer.allocateDirect(8))));
                assertEquals(-1, get(c.stdout().readAsync(Arena.ofAuto().allocate(8))));
            }
            assertEquals(0, c.stdout().readAllBytes().length);
            assertEquals(0, get(c.stdout().readAsync(b, 0, 0)), "an empty read is 0, even at the end");
            InputStream in = c.stdout().asInputStream();
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(b));
            assertEquals(0, in.read(b, 0, 0));
            assertTrue(exit(c).success());
        }
    }

    @Test
    void streamAdaptersMoveEveryByte() throws Exception {
        byte[] data = random(200_000, 5);
        try (Child c = cat()) {
            CompletableFuture<byte[]> got = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (InputStream in = c.stdout().asInputStream()) {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    for (int i = 0; i < 1000; i++) { // one byte at a time first
                        int b = in.read();
                        assertTrue(b >= 0 && b <= 255);
                        all.write(b);
                    }
                    byte[] some = in.readNBytes(5000);
                    all.write(some);
                    in.transferTo(all);
                    got.complete(all.toByteArray());
                } catch (Throwable t) {
                    got.completeExceptionally(t);
                }
            });
            try (OutputStream out = c.stdin().asOutputStream()) {
                for (int i = 0; i < 1000; i++) {
                    out.write(data[i]); // write(int): the low 8 bits
                }
                out.write(data, 1000, 5000);
                out.write(data, 6000, data.length - 6000);
                out.flush();
                assertThrows(IndexOutOfBoundsException.class, () -> out.write(data, data.length, 1));
            } // closing the stream closes the pipe: cat sees its end of file
            assertArrayEquals(data, get(got));
            assertTrue(exit(c).success());
            assertThrows(IndexOutOfBoundsException.class, () -> c.stdout().asInputStream().read(new byte[4], 3, 2));
        }
    }

    @Test
    void writeIntUsesOnlyTheLowEightBits() throws Exception {
        try (Child c = cat()) {
            CompletableFuture<byte[]> got = c.stdout().readAllBytesAsync();
            try (OutputStream out = c.stdin().asOutputStream()) {
                out.write(0x141);
                out.write(-1);
            }
            assertArrayEquals(new byte[] {0x41, (byte) 0xff}, get(got));
            exit(c);
        }
    }

    @Test
    void writingToAChildThatExitedIsEpipeAndTheJvmLivesOn() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Child c = Spawn.command("true").stdin(Redirect.PIPE).start(rt)) {
                assertTrue(exit(c).success());
                UringException e = assertThrows(UringException.class, () -> c.stdin().writeFully(new byte[10]));
                assertEquals(Errno.EPIPE.number(), e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains("stdin of true"), e.getMessage());
                ExecutionException async = assertThrows(ExecutionException.class,
                        () -> get(c.stdin().writeAsync(ByteBuffer.allocateDirect(4))));
                assertInstanceOf(UringException.class, async.getCause());
                UringException stream = assertThrows(UringException.class, () -> c.stdin().asOutputStream().write(1));
                assertEquals(Errno.EPIPE.number(), stream.errno());
            }
        }
        // SIGPIPE did not end this JVM, and the loop still works.
        try (Child c = Spawn.command("echo", "alive").stdout(Redirect.PIPE).start(rt)) {
            assertEquals("alive\n", text(c.stdout().readAllBytes()));
        }
    }

    @Test
    void aChildThatStopsReadingMidStreamFailsTheWriteWithEpipeNotAHang() throws Exception {
        try (Child c = Spawn.command("head", "-c", "10").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start(rt)) {
            CompletableFuture<byte[]> out = c.stdout().readAllBytesAsync();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> get(c.stdin().writeFullyAsync(MemorySegment.ofArray(new byte[8 << 20]))));
            assertInstanceOf(UringException.class, e.getCause());
            assertEquals(Errno.EPIPE.number(), ((UringException) e.getCause()).errno());
            assertEquals(10, get(out).length);
            assertTrue(exit(c).success());
        }
    }

    @Test
    void closingStdinWhileAWriteWaitsForRoomEndsTheWriteAndFreesTheDescriptor() throws Exception {
        long before = openFds();
        for (boolean heap : new boolean[] {false, true}) {
            Child c = Spawn.command("sleep", "100").stdin(Redirect.PIPE).start(rt);
            MemorySegment big = heap ? MemorySegment.ofArray(new byte[1 << 20]) : Arena.ofAuto().allocate(1 << 20);
            CompletableFuture<Void> write = c.stdin().writeFullyAsync(big); // sleep never reads: 64 KiB fit
            assertFalse(write.isDone());
            get(c.stdin().closeAsync());
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(write));
            assertTrue(e.getCause() instanceof CancellationException || e.getCause() instanceof ClosedChannelException,
                    "the write ended with " + e.getCause());
            c.kill();
            assertTrue(exit(c).signaled());
            c.close();
            c.close(); // idempotent
        }
        assertEquals(before, openFds(), "the pipe ends are closed once the cancelled writes completed");
    }

    @Test
    void closingAChildWhileReadsAreInFlightEndsThemAndLaterCallsFailCleanly() throws Exception {
        Child c = Spawn.command("sleep", "100").stdin(Redirect.PIPE).stdout(Redirect.PIPE).stderr(Redirect.PIPE).start(rt);
        CompletableFuture<byte[]> out = c.stdout().readAllBytesAsync();
        CompletableFuture<Integer> err = c.stderr().readAsync(ByteBuffer.allocateDirect(10));
        c.close();
        assertThrows(ExecutionException.class, () -> get(out));
        assertThrows(Exception.class, () -> get(err));
        ExecutionException again = assertThrows(ExecutionException.class, () -> get(c.stdout().readAsync(new byte[4], 0, 4)));
        assertInstanceOf(ClosedChannelException.class, again.getCause());
        ExecutionException write = assertThrows(ExecutionException.class, () -> get(c.stdin().writeAsync(ByteBuffer.allocate(3))));
        assertInstanceOf(ClosedChannelException.class, write.getCause());
        assertThrows(ClosedChannelException.class, () -> c.stdout().readAllBytes());
        assertTrue(c.stdout().toString().contains("closed"));
        assertTrue(c.isAlive(), "closing the pipes does not stop the child");
        c.kill();
        assertEquals(9, exit(c).code());
    }

    @Test
    void closingTheReadEndGivesAWritingChildSigpipe() throws Exception {
        try (Child c = Spawn.command("yes").stdout(Redirect.PIPE).start(rt)) {
            byte[] b = new byte[100];
            assertTrue(c.stdout().read(b, 0, 100) > 0);
            c.stdout().close();
            assertEquals(new ExitStatus(13, true, false), exit(c), "SIGPIPE, reset to its default in the child");
        }
    }

    @Test
    void badBuffersAreRefusedBeforeAnythingIsSubmitted() throws Exception {
        try (Child c = cat()) {
            assertThrows(IllegalArgumentException.class, () -> c.stdout().readAsync(ByteBuffer.allocate(4).asReadOnlyBuffer()));
            assertThrows(IllegalArgumentException.class,
                    () -> c.stdout().readAsync(MemorySegment.ofArray(new byte[4]).asReadOnly()));
            assertThrows(IndexOutOfBoundsException.class, () -> c.stdout().readAsync(new byte[4], 2, 3));
            assertThrows(IllegalArgumentException.class,
                    () -> c.stdout().readAsync(MemorySegment.NULL.reinterpret(3L << 30)), "more than 2 GiB");
            assertThrows(IllegalArgumentException.class,
                    () -> c.stdin().writeAsync(MemorySegment.NULL.reinterpret(3L << 30)), "more than 2 GiB");
            // The pipes still work.
            c.stdin().writeFully("ok".getBytes(StandardCharsets.UTF_8));
            c.stdin().close();
            assertEquals("ok", text(c.stdout().readAllBytes()));
            assertTrue(exit(c).success());
        }
    }

    @Test
    void aReadAndACloseRacingFromTwoThreadsNeverTouchAClosedDescriptor() throws Exception {
        // A read submitted while close() runs must end cancelled or with ClosedChannelException;
        // EBADF would mean the READ went to the kernel after the descriptor was closed (and could
        // as well have read another file that took its number).
        for (int i = 0; i < 100; i++) {
            Child c = Spawn.command("sleep", "100").stdout(Redirect.PIPE).start(rt);
            CompletableFuture<Throwable> reader = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        CompletableFuture<Integer> f = c.stdout().readAsync(new byte[8], 0, 8);
                        try {
                            f.get(ProcTestSupport.WAIT, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            reader.complete(e.getCause());
                            return;
                        } catch (CancellationException e) {
                            // cancelled by the close; the next read finds the pipe closed
                        }
                    }
                } catch (Throwable t) {
                    reader.complete(t);
                }
            });
            Thread.yield();
            c.stdout().close();
            Throwable t = get(reader);
            assertFalse(t instanceof UringException u && u.errno() == Errno.EBADF.number(), "a READ of a closed fd: " + t);
            assertTrue(t instanceof ClosedChannelException, "ended with " + t);
            c.kill();
            exit(c);
        }
    }
}
