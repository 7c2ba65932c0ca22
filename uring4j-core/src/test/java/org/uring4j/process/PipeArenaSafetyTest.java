package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.uring4j.fs.Backend;

/**
 * A pipe's memory and its arena: the async forms refuse a confined arena's memory (its owner could
 * close it while the kernel still reads or writes it in place: a READ completing into freed memory
 * corrupted whatever malloc had put there since), the blocking forms take it.
 */
class PipeArenaSafetyTest extends SharedRuntimeTest {

    @ParameterizedTest
    @EnumSource(Backend.class)
    void asyncCallsRefuseConfinedMemory(Backend backend) throws Exception {
        try (Child c = start(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE), backend);
             Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            assertThrows(IllegalStateException.class, () -> c.stdout().readAsync(seg));
            assertThrows(IllegalStateException.class, () -> c.stdout().readAsync(seg.asByteBuffer()));
            assertThrows(IllegalStateException.class, () -> c.stdin().writeAsync(seg));
            assertThrows(IllegalStateException.class, () -> c.stdin().writeAsync(seg.asByteBuffer()));
            assertThrows(IllegalStateException.class, () -> c.stdin().writeFullyAsync(seg));
            // Nothing was submitted: the pipes still carry what is written next, and only that.
            c.stdin().writeFully("ok".getBytes(StandardCharsets.UTF_8));
            c.stdin().close();
            assertEquals("ok", new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(exit(c).success());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void blockingCallsTakeConfinedMemory(Backend backend) throws Exception {
        byte[] data = new byte[200_000]; // more than a pipe holds: several writes and reads
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        try (Child c = start(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE), backend);
             Arena arena = Arena.ofConfined()) {
            var out = c.stdout().readAllBytesAsync();
            MemorySegment src = arena.allocate(data.length);
            MemorySegment.copy(data, 0, src, ValueLayout.JAVA_BYTE, 0, data.length);
            c.stdin().writeFully(src);
            c.stdin().close();
            assertArrayEquals(data, ProcTestSupport.get(out));
            assertTrue(exit(c).success());
        }
        try (Child c = start(Spawn.command("printf", "hello").stdout(Redirect.PIPE), backend);
             Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(64);
            int n = c.stdout().read(dst);
            assertTrue(n > 0 && n <= 5, "read " + n);
            assertEquals("hello".substring(0, n), new String(dst.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            assertTrue(exit(c).success());
        }
    }
}
