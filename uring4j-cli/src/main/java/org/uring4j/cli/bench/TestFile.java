package org.uring4j.cli.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/** The file a job runs on: an existing file is used as it is; a missing one is created and filled. */
final class TestFile {
    private TestFile() {
    }

    /**
     * Makes sure {@code file} holds at least {@code size} bytes of data (not a sparse hole, which
     * would make reads free).
     *
     * @return true if this call created the file
     */
    static boolean ensure(Path file, long size) throws IOException {
        if (Files.exists(file)) {
            return false; // used as it is (the command checked that it holds the bytes the job uses)
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        SplittableRandom random = new SplittableRandom(42);
        while (chunk.hasRemaining()) {
            chunk.putLong(random.nextLong());
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw FsFailure.of("create", file, e);
        }
        try (ch) {
            for (long at = 0; at < size; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), size - at));
                at += ch.write(chunk, at);
            }
            ch.force(true);
        } catch (IOException e) {
            // A full disk (ENOSPC) or a file size limit (EFBIG) part way: leave no partial file behind.
            Files.deleteIfExists(file);
            throw new IOException("write " + file + " (filling it with " + size + " bytes): " + FsFailure.reason(e)
                    + "; the partial file was removed", e);
        }
        return true;
    }

    /** Reads the whole file once, so that buffered runs start from a warm page cache. */
    static void warm(Path file, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long at = 0; at < size; ) {
                buf.clear();
                int n = ch.read(buf, at);
                if (n <= 0) {
                    break;
                }
                at += n;
            }
        }
    }
}
