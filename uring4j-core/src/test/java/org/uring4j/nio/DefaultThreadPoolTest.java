package org.uring4j.nio;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.ChildJvm;
import org.uring4j.fs.Backend;

/**
 * The JDK's java.nio.channels.DefaultThreadPool.threadFactory and .initialSize system properties
 * configure the handler threads of channels opened without an executor, for UringFileChannel as
 * for the JDK's AsynchronousFileChannel (issue 10, item 12; the JDK's CustomThreadPool test).
 * Each case runs in a child JVM, since the pool is made once per JVM.
 */
class DefaultThreadPoolTest {
    @TempDir
    Path dir;

    @Test
    void handlersRunOnThreadsOfTheConfiguredFactoryAsInTheJdk() throws Exception {
        Path file = Files.createFile(dir.resolve("f"));
        ChildJvm.Result r = ChildJvm.run(List.of(), List.of(
                "-Djava.nio.channels.DefaultThreadPool.threadFactory=" + CountingFactory.class.getName(),
                "-Djava.nio.channels.DefaultThreadPool.initialSize=3",
                "-D" + Backend.PROPERTY + "=" + System.getProperty(Backend.PROPERTY, "auto")), Main.class, file.toString());
        assertEquals(0, r.exit(), r.output());
        assertEquals("jdk handler on factory thread: true\nuring4j handler on factory thread: true\nuring4j threads started up front: true",
                r.output().lines().filter(l -> !l.startsWith("WARNING")).reduce((a, b) -> a + "\n" + b).orElse(""));
    }

    /** The child: one write with a handler on each implementation; says on whose thread each handler ran. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            Path file = Path.of(args[0]);
            try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(file, READ, WRITE)) {
                System.out.println("jdk handler on factory thread: " + CountingFactory.created(handlerThread(jdk)));
            }
            int before = CountingFactory.count();
            try (AsynchronousFileChannel ours = UringFileChannel.open(file, Set.of(READ, WRITE), null)) {
                int prestarted = CountingFactory.count() - before;
                System.out.println("uring4j handler on factory thread: " + CountingFactory.created(handlerThread(ours)));
                System.out.println("uring4j threads started up front: " + (prestarted >= 3));
            }
        }

        private static Thread handlerThread(AsynchronousFileChannel ch) throws Exception {
            CompletableFuture<Thread> invoker = new CompletableFuture<>();
            ch.write(ByteBuffer.wrap(new byte[100]), 0, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer result, Void attachment) {
                    invoker.complete(Thread.currentThread());
                }

                @Override
                public void failed(Throwable exc, Void attachment) {
                    invoker.completeExceptionally(exc);
                }
            });
            return invoker.get(30, TimeUnit.SECONDS);
        }
    }

    /** The JDK test's MyThreadFactory: daemon threads it remembers. */
    public static final class CountingFactory implements ThreadFactory {
        private static final Set<Thread> THREADS = java.util.concurrent.ConcurrentHashMap.newKeySet();

        public CountingFactory() {
        }

        static boolean created(Thread t) {
            return THREADS.contains(t);
        }

        static int count() {
            return THREADS.size();
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r);
            t.setDaemon(true);
            THREADS.add(t);
            return t;
        }
    }
}
