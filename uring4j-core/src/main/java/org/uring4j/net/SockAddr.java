package org.uring4j.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.uring4j.ring.Uapi;

/**
 * {@code struct sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un} to and from
 * {@link SocketAddress}. An IPv4 address on an IPv6 socket is written v4-mapped
 * ({@code ::ffff:a.b.c.d}) and read back as an {@link Inet4Address}, as the JDK's dual-stack
 * sockets do.
 */
final class SockAddr {
    private SockAddr() {
    }

    /** Size of {@code struct sockaddr_storage}: room for any address. */
    static final int STORAGE = 128;
    private static final int SUN_PATH_MAX = 108;
    // Unaligned: the caller's side of a sockaddr is a byte[].
    private static final ValueLayout.OfShort JAVA_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt JAVA_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort FAMILY = JAVA_SHORT;

    /**
     * The family a socket for {@code address} gets when none was chosen: UNIX for a Unix-domain
     * path, INET for a specific IPv4 address, else INET6 (dual stack, as the JDK's default).
     */
    static ProtocolFamily familyFor(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        InetSocketAddress inet = inet(address);
        InetAddress a = inet.getAddress();
        return a instanceof Inet4Address && !a.isAnyLocalAddress() ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /** The AF_* constant of {@code family}. */
    static int domain(ProtocolFamily family) {
        if (family == StandardProtocolFamily.INET) {
            return Uapi.AF_INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return Uapi.AF_INET6;
        }
        if (family == StandardProtocolFamily.UNIX) {
            return Uapi.AF_UNIX;
        }
        throw new UnsupportedOperationException("protocol family " + family + " is not supported");
    }

    /** {@code address} as an InetSocketAddress, with the JDK's exceptions for other kinds and unresolved names. */
    static InetSocketAddress inet(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    /**
     * Writes {@code address} for a socket of {@code family} into {@code seg} (at least
     * {@link #STORAGE} bytes).
     *
     * @return the sockaddr's length
     * @throws UnsupportedAddressTypeException if the address does not suit the family
     * @throws SocketException                 for a Unix path longer than sun_path
     */
    static int encode(SocketAddress address, ProtocolFamily family, MemorySegment seg) throws SocketException {
        seg.asSlice(0, STORAGE).fill((byte) 0);
        if (family == StandardProtocolFamily.UNIX) {
            if (!(Objects.requireNonNull(address, "address") instanceof UnixDomainSocketAddress unix)) {
                throw new UnsupportedAddressTypeException();
            }
            byte[] path = unix.getPath().toString().getBytes(StandardCharsets.UTF_8);
            if (path.length >= SUN_PATH_MAX) {
                throw new SocketException("Unix domain path too long: " + unix.getPath());
            }
            seg.set(FAMILY, 0, (short) Uapi.AF_UNIX);
            MemorySegment.copy(path, 0, seg, JAVA_BYTE, 2, path.length);
            return 2 + path.length + 1;
        }
        InetSocketAddress inet = inet(address);
        byte[] ip = inet.getAddress().getAddress();
        if (family == StandardProtocolFamily.INET) {
            if (ip.length != 4) {
                throw new UnsupportedAddressTypeException();
            }
            seg.set(FAMILY, 0, (short) Uapi.AF_INET);
            seg.set(PORT, 2, (short) inet.getPort());
            MemorySegment.copy(ip, 0, seg, JAVA_BYTE, 4, 4);
            return 16;
        }
        seg.set(FAMILY, 0, (short) Uapi.AF_INET6);
        seg.set(PORT, 2, (short) inet.getPort());
        if (ip.length == 4) {
            if (!inet.getAddress().isAnyLocalAddress()) { // the wildcard stays ::, which takes IPv4 too
                seg.set(JAVA_SHORT, 18, (short) 0xffff);
                MemorySegment.copy(ip, 0, seg, JAVA_BYTE, 20, 4);
            }
        } else {
            MemorySegment.copy(ip, 0, seg, JAVA_BYTE, 8, 16);
            if (inet.getAddress() instanceof Inet6Address v6) {
                seg.set(JAVA_INT, 24, v6.getScopeId());
            }
        }
        return 28;
    }

    /** The address {@code len} bytes of {@code seg} hold. */
    static SocketAddress decode(MemorySegment seg, int len) throws IOException {
        int family = len < 2 ? Uapi.AF_UNIX : seg.get(FAMILY, 0);
        try {
            switch (family) {
                case Uapi.AF_INET -> {
                    byte[] ip = seg.asSlice(4, 4).toArray(JAVA_BYTE);
                    return new InetSocketAddress(InetAddress.getByAddress(ip), Short.toUnsignedInt(seg.get(PORT, 2)));
                }
                case Uapi.AF_INET6 -> {
                    byte[] ip = seg.asSlice(8, 16).toArray(JAVA_BYTE);
                    int scope = seg.get(JAVA_INT, 24);
                    InetAddress a = InetAddress.getByAddress(ip); // an Inet4Address if v4-mapped
                    if (a instanceof Inet6Address && scope != 0) {
                        a = Inet6Address.getByAddress(null, ip, scope);
                    }
                    return new InetSocketAddress(a, Short.toUnsignedInt(seg.get(PORT, 2)));
                }
                case Uapi.AF_UNIX -> {
                    int n = Math.max(0, len - 2);
                    int end = 0;
                    while (end < n && seg.get(JAVA_BYTE, 2 + end) != 0) {
                        end++;
                    }
                    byte[] path = seg.asSlice(2, end).toArray(JAVA_BYTE);
                    return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8));
                }
                default -> throw new SocketException("unknown address family " + family);
            }
        } catch (UnknownHostException e) {
            throw new SocketException("bad address: " + e.getMessage());
        }
    }
}
