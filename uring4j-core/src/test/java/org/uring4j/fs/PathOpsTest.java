package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.uring4j.fs.FsTestSupport.assertCauseErrno;
import static org.uring4j.fs.FsTestSupport.assertErrnoInChain;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.failure;
import static org.uring4j.fs.FsTestSupport.onIoUring;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.fs.UringFiles.RenameOption;
import org.uring4j.sys.Syscalls;

/** The path operations of {@link UringFiles}: mkdir, unlink, rmdir, rename, links, stat, whole-file I/O. */
class PathOpsTest extends SharedFilesTest {

    // ------------------------------------------------------------------ directories

    @Test
    void createDirectoryAppliesModeLessUmask() throws Exception {
        int old = Syscalls.umask(027);
        try {
            Path d = dir.resolve("d");
            files.createDirectory(d, 0777);
            assertTrue(Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS));
            assertEquals(0750, files.stat(d).mode() & 07777);
            assertEquals(PosixFilePermissions.fromString("rwxr-x---"), Files.getPosixFilePermissions(d));
            Path e = dir.resolve("e");
            await(files.createDirectoryAsync(e, 0700));
            assertEquals(0700, files.stat(e).mode() & 07777);
        } finally {
            Syscalls.umask(old);
        }
        FileAlreadyExistsException exists = assertThrows(FileAlreadyExistsException.class, () -> files.createDirectory(dir.resolve("d"), 0755));
        assertCauseErrno("EEXIST", exists);
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> files.createDirectory(dir.resolve("x/y"), 0755)));
        Path f = file("f", "");
        assertCauseErrno("ENOTDIR", assertThrows(NotDirectoryException.class, () -> files.createDirectory(f.resolve("sub"), 0755)));
    }

    @Test
    void deleteFileAndDirectory() throws Exception {
        Path f = file("f", "x");
        files.deleteFile(f);
        assertFalse(Files.exists(f, LinkOption.NOFOLLOW_LINKS));
        NoSuchFileException gone = assertThrows(NoSuchFileException.class, () -> files.deleteFile(f));
        assertEquals(f.toString(), gone.getFile());
        assertCauseErrno("ENOENT", gone);

        // unlink of a symlink removes the link, not its target.
        Path target = file("target", "t");
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, target);
        await(files.deleteFileAsync(link));
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(target));

        Path d = dir.resolve("d");
        Files.createDirectories(d.resolve("inner"));
        assertErrnoInChain("EISDIR", assertThrows(IOException.class, () -> files.deleteFile(d)));
        DirectoryNotEmptyException full = assertThrows(DirectoryNotEmptyException.class, () -> files.deleteDirectory(d));
        assertCauseErrno("ENOTEMPTY", full);
        files.deleteDirectory(d.resolve("inner"));
        await(files.deleteDirectoryAsync(d));
        assertFalse(Files.exists(d));
        assertCauseErrno("ENOTDIR", assertThrows(NotDirectoryException.class, () -> files.deleteDirectory(target)));
        assertCauseErrno("ENOENT", failure(NoSuchFileException.class, files.deleteDirectoryAsync(d)));
    }

    // ------------------------------------------------------------------ rename

    @Test
    void renamePlainReplacesTheTarget() throws Exception {
        Path a = file("a", "A");
        Path b = dir.resolve("b");
        files.rename(a, b);
        assertFalse(Files.exists(a));
        assertEquals("A", Files.readString(b));
        Path c = file("c", "C");
        await(files.renameAsync(c, b)); // over an existing file
        assertEquals("C", Files.readString(b));
        assertFalse(Files.exists(c));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> files.rename(a, dir.resolve("z")));
        assertEquals(a.toString(), e.getFile());
        assertEquals(dir.resolve("z").toString(), e.getOtherFile());
        assertCauseErrno("ENOENT", e);
    }

    @Test
    void renameNoreplaceRefusesAnExistingTarget() throws Exception {
        Path a = file("a", "A");
        Path b = file("b", "B");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> files.rename(a, b, RenameOption.NOREPLACE));
        assertCauseErrno("EEXIST", e);
        assertEquals("A", Files.readString(a));
        assertEquals("B", Files.readString(b));
        Path c = dir.resolve("c");
        files.rename(a, c, RenameOption.NOREPLACE);
        assertEquals("A", Files.readString(c));
        assertFalse(Files.exists(a));
    }

    @Test
    void renameExchangeSwapsAtomically() throws Exception {
        Path a = file("a", "A");
        Path d = dir.resolve("d");
        Files.createDirectory(d);
        Files.writeString(d.resolve("inside"), "I");
        if (!onIoUring(files)) {
            // java.nio has no atomic exchange: the portable backend refuses it, naming both paths, and touches nothing.
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> files.rename(a, d, RenameOption.EXCHANGE));
            assertTrue(e.getMessage().contains("RENAME_EXCHANGE") && e.getMessage().contains(a.toString())
                    && e.getMessage().contains(d.toString()), e.getMessage());
            assertEquals("A", Files.readString(a));
            assertEquals("I", Files.readString(d.resolve("inside")));
            return;
        }
        files.rename(a, d, RenameOption.EXCHANGE); // a file and a directory trade names
        assertTrue(Files.isDirectory(a));
        assertEquals("I", Files.readString(a.resolve("inside")));
        assertEquals("A", Files.readString(d));
        await(files.renameAsync(a, d, RenameOption.EXCHANGE));
        assertEquals("A", Files.readString(a));
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class,
                () -> files.rename(a, dir.resolve("missing"), RenameOption.EXCHANGE)));
        assertErrnoInChain("EINVAL", assertThrows(IOException.class,
                () -> files.rename(a, d, RenameOption.EXCHANGE, RenameOption.NOREPLACE)));
    }

    // ------------------------------------------------------------------ links and stat

    @Test
    void hardLinkSharesTheInode() throws Exception {
        Path f = file("f", "data");
        Path link = dir.resolve("hard");
        files.createLink(link, f);
        FileStat a = files.stat(f);
        FileStat b = files.stat(link);
        assertEquals(2, a.nlink());
        assertEquals(a.inode(), b.inode());
        assertEquals(2, Files.getAttribute(f, "unix:nlink"));
        assertEquals("data", Files.readString(link));
        await(files.createLinkAsync(dir.resolve("hard2"), f));
        assertEquals(3, files.stat(f).nlink());
        assertCauseErrno("EEXIST", assertThrows(FileAlreadyExistsException.class, () -> files.createLink(link, f)));
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> files.createLink(dir.resolve("h3"), dir.resolve("none"))));
    }

    @Test
    void symbolicLinkAndStatWithAndWithoutNofollow() throws Exception {
        Path f = file("f", "12345");
        Path link = dir.resolve("sym");
        files.createSymbolicLink(link, f);
        assertEquals(f, Files.readSymbolicLink(link));
        FileStat followed = files.stat(link);
        assertTrue(followed.isRegularFile());
        assertEquals(5, followed.size());
        assertEquals(files.stat(f).inode(), followed.inode());
        FileStat self = files.stat(link, LinkOption.NOFOLLOW_LINKS);
        assertTrue(self.isSymbolicLink());
        assertEquals(f.toString().length(), self.size(), "a symlink's size is its target's length");
        assertEquals(Files.getAttribute(link, "unix:ino", LinkOption.NOFOLLOW_LINKS), self.inode());

        // A relative, dangling target is stored verbatim.
        Path dangling = dir.resolve("dangling");
        await(files.createSymbolicLinkAsync(dangling, Path.of("no/such")));
        assertEquals(Path.of("no/such"), Files.readSymbolicLink(dangling));
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> files.stat(dangling)));
        assertTrue(await(files.statAsync(dangling, LinkOption.NOFOLLOW_LINKS)).isSymbolicLink());
        assertCauseErrno("EEXIST", assertThrows(FileAlreadyExistsException.class, () -> files.createSymbolicLink(link, f)));
        assertTrue(files.stat(dir).isDirectory());
    }

    // ------------------------------------------------------------------ whole files

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 65535, 65536, 65537, 1 << 20})
    void writeThenReadAllBytes(int size) throws Exception {
        // 65536 fills the linked read's buffer exactly, so the read falls back to open + stat + read.
        byte[] data = pattern(size, size);
        Path p = dir.resolve("whole-" + size);
        files.write(p, data);
        assertArrayEquals(data, Files.readAllBytes(p));
        assertArrayEquals(data, files.readAllBytes(p));
        assertArrayEquals(data, await(files.readAllBytesAsync(p)));
        // Rewriting with less truncates.
        byte[] less = pattern(size / 2, size + 1);
        await(files.writeAsync(p, less));
        assertArrayEquals(less, Files.readAllBytes(p));
        assertArrayEquals(less, files.readAllBytes(p));
    }

    @Test
    void wholeFileErrors() throws Exception {
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> files.readAllBytes(dir.resolve("none"))));
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> files.write(dir.resolve("no/dir"), new byte[1])));
        assertErrnoInChain("EISDIR", assertThrows(IOException.class, () -> files.readAllBytes(dir)));
        assertErrnoInChain("EISDIR", assertThrows(IOException.class, () -> files.write(dir, new byte[1])));
        Path big = dir.resolve("big"); // a failure on the fallback path (> 64 KiB) too
        Files.write(big, new byte[100_000]);
        assertArrayEquals(new byte[100_000], files.readAllBytes(big));
    }

    @Test
    void readAllBytesMatchesTheJdkOnAThousandFiles() throws Exception {
        Random rnd = new Random(42);
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Path p = dir.resolve("small-" + i);
            byte[] content = new byte[rnd.nextInt(i % 100 == 0 ? 200_000 : 5000)];
            rnd.nextBytes(content);
            Files.write(p, content);
            paths.add(p);
        }
        // All at once, so many linked chains are in flight together.
        List<CompletableFuture<byte[]>> reads = new ArrayList<>();
        for (Path p : paths) {
            reads.add(files.readAllBytesAsync(p));
        }
        for (int i = 0; i < paths.size(); i++) {
            assertArrayEquals(Files.readAllBytes(paths.get(i)), await(reads.get(i)), paths.get(i).toString());
        }
        // And the other way: 1,000 concurrent whole-file writes read back by the JDK.
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            writes.add(files.writeAsync(paths.get(i), ("file " + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (CompletableFuture<Void> w : writes) {
            await(w);
        }
        for (int i = 0; i < paths.size(); i++) {
            assertEquals("file " + i, Files.readString(paths.get(i)));
        }
        if (onIoUring(files)) {
            assertEquals(0, FsTestSupport.fixedInUse(files.runtime()), "every chain emptied its slot");
        }
    }
}
