package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.uring4j.fs.FsTestSupport.assertCauseErrno;
import static org.uring4j.fs.FsTestSupport.pattern;


import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.runtime.LoopOptions;

/** Failures of the kinds the JDK throws: FileSystemException for errnos without a subtype, NPE for a null option, ClosedChannelException after close. */
class ErrorTypesTest extends OneLoopFilesTest {
    @Test
    void writingADirectoryIsAFileSystemExceptionAsInTheJdk() throws Exception {
        Class<?> jdk = assertThrows(FileSystemException.class, () -> FileChannel.open(dir, WRITE)).getClass();
        FileSystemException ours = assertThrows(FileSystemException.class, () -> files.open(dir, WRITE));
        assertEquals(jdk, ours.getClass());
        assertEquals(dir.toString(), ours.getFile());
        assertCauseErrno("EISDIR", ours);
        FileSystemException write = assertThrows(FileSystemException.class, () -> files.write(dir, new byte[1]));
        assertEquals(FileSystemException.class, write.getClass());
        assertCauseErrno("EISDIR", write);
    }

    @Test
    void aTooLongNameIsAFileSystemExceptionAsInTheJdk() throws Exception {
        Path p = dir.resolve("n".repeat(300));
        Class<?> jdk = assertThrows(FileSystemException.class, () -> FileChannel.open(p, READ)).getClass();
        FileSystemException ours = assertThrows(FileSystemException.class, () -> files.open(p));
        assertEquals(jdk, ours.getClass());
        assertCauseErrno("ENAMETOOLONG", ours);
        assertCauseErrno("ENAMETOOLONG", assertThrows(FileSystemException.class, () -> files.stat(p)));
    }

    @Test
    void aNullOptionIsANullPointerExceptionAsInTheJdk() throws Exception {
        Path p = dir.resolve("f");
        Files.write(p, pattern(4, 1));
        assertThrows(NullPointerException.class, () -> FileChannel.open(p, READ, null));
        assertThrows(NullPointerException.class, () -> files.open(p, READ, null));
    }

    /** After UringFiles.close(), a file's I/O fails with ClosedChannelException (an IOException), on platform and virtual threads. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void filesOfClosedFilesFailAsClosedChannels(boolean virtual) throws Exception {
        Path p = dir.resolve("f");
        Files.write(p, pattern(10, 2));
        UringFiles fs = UringFiles.open(1, new LoopOptions());
        AsyncFile f = fs.open(p, READ, WRITE, CREATE);
        fs.close();
        AtomicReference<Throwable> read = new AtomicReference<>();
        AtomicReference<Throwable> write = new AtomicReference<>();
        AtomicReference<Throwable> async = new AtomicReference<>();
        Thread t = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
            read.set(thrown(() -> f.read(new byte[1], 0, 1, 0)));
            write.set(thrown(() -> f.write(new byte[1], 0, 1, 0)));
            async.set(f.syncAsync().handle((v, x) -> x instanceof java.util.concurrent.CompletionException c ? c.getCause() : x).join());
        });
        t.join();
        assertInstanceOf(ClosedChannelException.class, read.get());
        assertInstanceOf(ClosedChannelException.class, write.get());
        assertInstanceOf(ClosedChannelException.class, async.get());
        f.close();
    }

    private static Throwable thrown(java.util.concurrent.Callable<?> call) {
        try {
            return new AssertionError("no failure: " + call.call());
        } catch (Throwable x) {
            return x;
        }
    }
}
