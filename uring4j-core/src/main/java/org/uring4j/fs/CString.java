package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;

import org.uring4j.runtime.NativeMemoryPool;

/**
 * A path as the kernel wants it: bytes in the platform's file-name encoding, NUL-terminated.
 * Encoded on the caller's thread (where a bad path is reported), copied into loop memory only
 * when the op is prepared.
 */
final class CString {
    private static final Charset JNU = jnuCharset();

    final String text;
    private final byte[] bytes;

    private CString(String text, byte[] bytes) {
        this.text = text;
        this.bytes = bytes;
    }

    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** The path's bytes; rejects paths of other file systems and paths containing NUL. */
    static CString of(Path path) {
        if (path.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
            throw new ProviderMismatchException("uring4j opens paths of the default file system only: " + path);
        }
        return of(path.toString());
    }

    /** A string's bytes (xattr names); rejects NUL inside. */
    static CString of(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new InvalidPathException(s, "NUL character not allowed");
        }
        return new CString(s, s.getBytes(JNU));
    }

    /**
     * Copies the bytes and a NUL into a pool segment and returns the whole segment (give it back
     * with {@code pool.release}); its last byte is NUL too, as the ring's path check wants.
     */
    MemorySegment copyTo(NativeMemoryPool pool) {
        MemorySegment seg = pool.acquire(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, seg, JAVA_BYTE, 0, bytes.length);
        seg.set(JAVA_BYTE, bytes.length, (byte) 0);
        seg.set(JAVA_BYTE, seg.byteSize() - 1, (byte) 0);
        return seg;
    }

    /** Copies the bytes and a NUL into {@code dst} (at least {@link #byteSize()} bytes) and returns that slice. */
    MemorySegment copyInto(MemorySegment dst) {
        MemorySegment.copy(bytes, 0, dst, JAVA_BYTE, 0, bytes.length);
        dst.set(JAVA_BYTE, bytes.length, (byte) 0);
        return dst.asSlice(0, bytes.length + 1L);
    }

    /** Bytes with the terminating NUL. */
    long byteSize() {
        return bytes.length + 1L;
    }

    @Override
    public String toString() {
        return text;
    }
}
