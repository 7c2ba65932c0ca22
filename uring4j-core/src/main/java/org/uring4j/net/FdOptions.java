package org.uring4j.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.Set;

/**
 * {@link StandardSocketOptions} as setsockopt(2)/getsockopt(2) on a descriptor, with the JDK's
 * checks: UnsupportedOperationException for an option the socket kind lacks,
 * IllegalArgumentException for a bad value, and the same sets of options per kind as the JDK's
 * socket channels.
 */
final class FdOptions {
    private FdOptions() {
    }

    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_TCP = 6;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SO_KEEPALIVE = 9;
    private static final int SO_LINGER = 13;
    private static final int SO_REUSEPORT = 15;
    private static final int TCP_NODELAY = 1;

    static final Set<SocketOption<?>> TCP = Set.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.TCP_NODELAY);
    static final Set<SocketOption<?>> UNIX = Set.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_LINGER);
    static final Set<SocketOption<?>> TCP_SERVER = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);
    static final Set<SocketOption<?>> UNIX_SERVER = Set.of(StandardSocketOptions.SO_RCVBUF);

    static Set<SocketOption<?>> supported(ProtocolFamily family, boolean server) {
        boolean unix = family == StandardProtocolFamily.UNIX;
        return server ? (unix ? UNIX_SERVER : TCP_SERVER) : (unix ? UNIX : TCP);
    }

    /** Checks name and value as the JDK does before it touches the socket. */
    static <T> void checkSet(Set<SocketOption<?>> supported, SocketOption<T> name, T value) {
        Objects.requireNonNull(name, "name");
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (value == null && name != StandardSocketOptions.SO_LINGER) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        if ((name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) && (Integer) value < 0) {
            throw new IllegalArgumentException("Invalid " + (name == StandardSocketOptions.SO_SNDBUF ? "send" : "receive")
                    + " buffer size: " + value);
        }
    }

    static void checkGet(Set<SocketOption<?>> supported, SocketOption<?> name) {
        Objects.requireNonNull(name, "name");
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    static <T> void set(int fd, SocketOption<T> name, T value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v;
            if (name == StandardSocketOptions.SO_LINGER) {
                int secs = value == null ? -1 : (Integer) value;
                v = a.allocate(8);
                v.set(JAVA_INT, 0, secs < 0 ? 0 : 1);
                v.set(JAVA_INT, 4, Math.max(0, Math.min(secs, 65535)));
            } else {
                v = a.allocate(JAVA_INT);
                v.set(JAVA_INT, 0, value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value);
            }
            int r = SocketCalls.setsockopt(fd, level(name), optname(name), v);
            if (r < 0) {
                throw NetErrors.of("setsockopt " + name, r, fd, null);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(int fd, SocketOption<T> name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(8);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, name == StandardSocketOptions.SO_LINGER ? 8 : 4);
            int r = SocketCalls.getsockopt(fd, level(name), optname(name), v, len);
            if (r < 0) {
                throw NetErrors.of("getsockopt " + name, r, fd, null);
            }
            if (name == StandardSocketOptions.SO_LINGER) {
                return (T) Integer.valueOf(v.get(JAVA_INT, 0) == 0 ? -1 : v.get(JAVA_INT, 4));
            }
            int i = v.get(JAVA_INT, 0);
            return name.type() == Boolean.class ? (T) Boolean.valueOf(i != 0) : (T) Integer.valueOf(i);
        }
    }

    private static int level(SocketOption<?> name) {
        return name == StandardSocketOptions.TCP_NODELAY ? IPPROTO_TCP : SOL_SOCKET;
    }

    private static int optname(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return TCP_NODELAY;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return SO_REUSEADDR;
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            return SO_REUSEPORT;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return SO_KEEPALIVE;
        } else if (name == StandardSocketOptions.SO_LINGER) {
            return SO_LINGER;
        }
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }
}
