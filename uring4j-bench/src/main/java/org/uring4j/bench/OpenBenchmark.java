package org.uring4j.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.uring4j.fs.UringFiles;
import org.uring4j.fs.UringOpenOption;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * Open+close latency of one warm file, single thread, as JMH samples (p50/p99/p99.9): the JMH
 * twin of the "opens" part of {@link FilesBench}. JMH runs one benchmark after the other rather
 * than in alternating rounds, so on a busy machine prefer FilesBench's numbers; use this one for
 * JMH's profilers ({@code -prof gc}, {@code -prof perfnorm}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -jar uring4j-bench/target/benchmarks.jar OpenBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class OpenBenchmark {
    private Path dir;
    private Path file;
    private byte[] cPath;
    private UringFiles files;
    private Arena arena;
    private MemorySegment floorPath;
    private MemorySegment floorHow;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("uring4j-openbench-");
        file = dir.resolve("warm.bin");
        Files.write(file, new byte[4096]);
        Files.readAllBytes(file);
        cPath = RawOpenOp.cPath(file.toString());
        files = UringFiles.open();
        arena = Arena.ofShared();
        floorPath = arena.allocate(cPath.length);
        MemorySegment.copy(cPath, 0, floorPath, JAVA_BYTE, 0, cPath.length);
        floorHow = arena.allocate(Layouts.OPEN_HOW);
        floorHow.set(JAVA_LONG, 0, Integer.toUnsignedLong(Uapi.O_RDONLY | Uapi.O_CLOEXEC));
        floorHow.set(JAVA_LONG, 16, Uapi.RESOLVE_CACHED);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        files.close();
        arena.close();
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    /** UringFiles.open of an existing file, read-only: openat2(RESOLVE_CACHED) on this thread; then close. */
    @Benchmark
    public void fastPath() throws IOException {
        files.open(file, StandardOpenOption.READ).close();
    }

    /** The same open forced onto the ring (RESOLVE_CACHED in the options skips the caller-thread try). */
    @Benchmark
    public void ringOp() throws IOException {
        files.open(file, StandardOpenOption.READ, UringOpenOption.RESOLVE_CACHED).close();
    }

    /** A bare OPENAT2 op and a CLOSE op through an event loop, no file layer. */
    @Benchmark
    public void bareRing() throws IOException {
        EventLoop loop = files.runtime().nextLoop();
        int fd = Await.get(loop.submit(new RawOpenOp(cPath, Uapi.O_RDONLY | Uapi.O_CLOEXEC, 0)));
        Await.get(loop.submit(new RawCloseOp(fd)));
    }

    /** The JDK: Files.newByteChannel (open(2)) and close. */
    @Benchmark
    public void jdk() throws IOException {
        Files.newByteChannel(file).close();
    }

    /** openat2(RESOLVE_CACHED) and close(2) on this thread, nothing else: the floor. */
    @Benchmark
    public int floor() {
        int fd = Syscalls.openat2(Uapi.AT_FDCWD, floorPath, floorHow);
        return Syscalls.close(fd);
    }
}
