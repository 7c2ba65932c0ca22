package org.uring4j.fs;

/**
 * What a {@link UringFiles} and its {@link AsyncFile}s run on.
 *
 * <p>{@link UringFiles#open()} picks {@link #IO_URING} when the kernel lets this process set up a
 * ring, and {@link #PORTABLE} when it does not (io_uring disabled by sysctl or seccomp, a kernel
 * too old, another OS), so code written against the file API runs everywhere and
 * {@link UringFiles#backend()} says which one it got. The system property
 * {@value #PROPERTY} = {@code io_uring} | {@code portable} | {@code auto} (the default) forces the
 * choice.
 */
public enum Backend {
    /** io_uring: event loops owning rings, registered files and buffers. */
    IO_URING,
    /**
     * java.nio: each file a {@link java.nio.channels.FileChannel}, each operation a blocking call
     * on a virtual thread. Needs no io_uring and no native access. Options and calls only
     * io_uring has are refused with UnsupportedOperationException or, where they are only a
     * hint (RESOLVE_CACHED, DIRECT_DESCRIPTOR, NOATIME, fadvise), accepted and ignored.
     */
    PORTABLE;

    /** The system property that forces a backend: {@code io_uring}, {@code portable} or {@code auto}. */
    public static final String PROPERTY = "org.uring4j.backend";

    /** The backend {@link #PROPERTY} forces, or empty for auto. */
    public static java.util.Optional<Backend> forced() {
        return java.util.Optional.ofNullable(requested());
    }

    /** The backend the property asks for, or null for auto. */
    static Backend requested() {
        String v = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "auto", "" -> null;
            case "io_uring", "io-uring", "uring" -> IO_URING;
            case "portable" -> PORTABLE;
            default -> throw new IllegalArgumentException(PROPERTY + "=" + v + ": expected io_uring, portable or auto");
        };
    }
}
