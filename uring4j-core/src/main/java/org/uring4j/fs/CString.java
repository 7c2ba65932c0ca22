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
        String s = path.toString();
        if (s.indexOf('\uFFFD') < 0) {
            return of(s);
        }
        // A name the file-name encoding cannot decode (bytes that are not UTF-8, as a directory
        // listing hands them over) reads U+FFFD in the string, whose encoding names another file
        // or none, where the JDK opens the path's own bytes. Those come from its URI, which
        // percent-escapes them (only here: toUri costs a stat).
        return new CString(s, rawBytes(path));
    }

    /** The bytes of {@code path} itself, as the JDK passes them to the kernel. */
    private static byte[] rawBytes(Path path) {
        byte[] abs = uriPathBytes(path.toAbsolutePath());
        if (path.isAbsolute()) {
            return abs;
        }
        byte[] cwd = uriPathBytes(Path.of("").toAbsolutePath());
        int from = cwd.length + (cwd.length > 0 && cwd[cwd.length - 1] == '/' ? 0 : 1);
        return java.util.Arrays.copyOfRange(abs, Math.min(from, abs.length), abs.length);
    }

    /** The percent-decoded path of an absolute path's URI, without the slash a directory's URI ends with. */
    private static byte[] uriPathBytes(Path absolute) {
        String raw = absolute.toUri().getRawPath();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.write(c); // the rest of a URI is ASCII
            }
        }
        byte[] b = out.toByteArray();
        return b.length > 1 && b[b.length - 1] == '/' ? java.util.Arrays.copyOf(b, b.length - 1) : b;
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
