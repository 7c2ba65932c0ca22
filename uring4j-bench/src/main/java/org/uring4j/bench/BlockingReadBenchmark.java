package org.uring4j.bench;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.uring4j.fs.AsyncFile;
import org.uring4j.fs.UringFiles;
import org.uring4j.fs.UringOpenOption;

/**
 * The latency of one blocking 4 KiB positional read, what a Java caller pays per call:
 * {@code AsyncFile.read} against {@code FileChannel.read}, from a platform thread (the JMH
 * thread itself) and from a virtual thread (each invocation hands {@value #BATCH} reads to one
 * virtual thread and waits for it: the hand-off, the same for both engines, is spread over the
 * batch), from the page cache and with O_DIRECT. {@code bin/uring4j bench --vthreads} gives the
 * many-threads view in alternating rounds.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -jar uring4j-bench/target/benchmarks.jar BlockingReadBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BlockingReadBenchmark {
    private static final int BS = 4096;
    private static final long SIZE = 64L << 20;
    static final int BATCH = 64;

    @Param({"false", "true"})
    public boolean direct;

    private Path file;
    private UringFiles files;
    private AsyncFile uring;
    private FileChannel channel;
    private ByteBuffer buffer;
    private MemorySegment segment;
    private final SplittableRandom random = new SplittableRandom(42);
    private ExecutorService virtualThreads;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        file = Files.createTempFile(Path.of(System.getProperty("uring4j.bench.dir", System.getProperty("java.io.tmpdir"))),
                "uring4j-blocking-", ".dat");
        byte[] chunk = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(chunk);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long at = 0; at < SIZE; at += chunk.length) {
                ch.write(ByteBuffer.wrap(chunk), at);
            }
        }
        Files.readAllBytes(file); // in the page cache for the cached runs
        files = UringFiles.open();
        uring = direct ? files.open(file, StandardOpenOption.READ, UringOpenOption.DIRECT) : files.open(file, StandardOpenOption.READ);
        channel = direct ? FileChannel.open(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)
                : FileChannel.open(file, StandardOpenOption.READ);
        buffer = ByteBuffer.allocateDirect(2 * BS).alignedSlice(BS).limit(BS);
        segment = MemorySegment.ofBuffer(buffer);
        virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        virtualThreads.close();
        uring.close();
        channel.close();
        files.close();
        Files.deleteIfExists(file);
    }

    private long position() {
        return random.nextLong(SIZE / BS) * BS;
    }

    @Benchmark
    public int uringPlatform() throws IOException {
        return uring.read(segment, position());
    }

    @Benchmark
    public int fileChannelPlatform() throws IOException {
        return channel.read(buffer.clear(), position());
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int uringVirtual() throws Exception {
        return virtualThreads.submit(() -> {
            int n = 0;
            for (int i = 0; i < BATCH; i++) {
                n += uring.read(segment, position());
            }
            return n;
        }).get();
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int fileChannelVirtual() throws Exception {
        return virtualThreads.submit(() -> {
            int n = 0;
            for (int i = 0; i < BATCH; i++) {
                n += channel.read(buffer.clear(), position());
            }
            return n;
        }).get();
    }
}
