package org.uring4j.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.OpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.uring4j.UringException;

/**
 * The file operations as a backend implements them: {@link RingFiles} through io_uring,
 * {@link PortableFiles} through java.nio on virtual threads. {@link UringFiles} is the public face
 * of both.
 */
interface FilesBackend {
    Backend backend();

    /** Opens {@code path}, relative to {@code dir} if not null (a file of the same backend). */
    CompletableFuture<FileIo> open(FileIo dir, Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs);

    CompletableFuture<Void> createDirectory(Path dir, int mode);

    CompletableFuture<Void> deleteFile(Path file);

    CompletableFuture<Void> deleteDirectory(Path dir);

    /** rename with RENAME_* {@code flags}. */
    CompletableFuture<Void> rename(Path source, Path target, int flags);

    CompletableFuture<Void> createLink(Path link, Path existing);

    CompletableFuture<Void> createSymbolicLink(Path link, Path target);

    CompletableFuture<FileStat> stat(Path path, boolean followLinks);

    /** {@link #stat}'s blocking form. */
    default FileStat statBlocking(Path path, boolean followLinks) throws IOException {
        return org.uring4j.runtime.Await.get(stat(path, followLinks));
    }

    CompletableFuture<byte[]> getXattr(Path path, String name);

    CompletableFuture<Void> setXattr(Path path, String name, byte[] value, int flags);

    CompletableFuture<byte[]> readAllBytes(Path path);

    /** {@link #readAllBytes}'s blocking form. */
    default byte[] readAllBytesBlocking(Path path) throws IOException {
        return org.uring4j.runtime.Await.get(readAllBytes(path));
    }

    CompletableFuture<Void> write(Path path, byte[] data);

    void close() throws UringException;
}
