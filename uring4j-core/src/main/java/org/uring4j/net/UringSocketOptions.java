package org.uring4j.net;

import java.net.SocketOption;

/**
 * Socket options of uring4j's own, beside {@link java.net.StandardSocketOptions}: set and read
 * them with {@link UringSocket#setOption} and {@link UringSocket#getOption}.
 */
public final class UringSocketOptions {
    private UringSocketOptions() {
    }

    /**
     * System property: the default of {@link #SEND_ZEROCOPY_THRESHOLD} for every socket (bytes;
     * 0, the default, is off).
     */
    public static final String SEND_ZEROCOPY_THRESHOLD_PROPERTY = "org.uring4j.net.sendZeroCopyThreshold";

    /**
     * Writes of native memory of at least this many bytes go as zero-copy sends (SEND_ZC,
     * {@code io_uring_prep_send_zc}, Linux 6.0): the kernel sends from the memory itself rather
     * than copying it into the socket buffer, and the write's future completes only once the
     * network stack has let go of it (the notification), so memory handed to an asynchronous write
     * must stay alive until its future completes, as for any write. This covers memory of the
     * caller's that the kernel may use in place (an automatic or the global arena's, a direct
     * buffer's, a confined arena's in a blocking write; a shared arena's, which another thread may
     * close at any time, is copied into loop memory and sent plainly), and a received chunk sent back from its handler (sent from its provided buffer,
     * which goes back to the kernel after the notification). Heap data is not sent so: it is
     * copied anyway. 0 (the default, unless {@link #SEND_ZEROCOPY_THRESHOLD_PROPERTY} says
     * otherwise) is off.
     *
     * <p>Zero copy pays only for large sends through a network device that can send from user
     * pages; over loopback the kernel copies all the same (at the receiving end), and the extra
     * completion and page pinning make it slower: see docs/benchmarks.md. TCP sockets only (Unix
     * domain sockets have no zero-copy send: UnsupportedOperationException); ignored on the
     * portable backend and where the kernel has no SEND_ZC.
     */
    public static final SocketOption<Integer> SEND_ZEROCOPY_THRESHOLD = new Option<>("SEND_ZEROCOPY_THRESHOLD", Integer.class);

    /** The default threshold: {@link #SEND_ZEROCOPY_THRESHOLD_PROPERTY}, else 0 (off). */
    static int defaultSendZeroCopyThreshold() {
        Integer v = Integer.getInteger(SEND_ZEROCOPY_THRESHOLD_PROPERTY);
        return v == null || v < 0 ? 0 : v;
    }

    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() {
            return name;
        }
    }
}
