/**
 * Sockets on io_uring: {@link org.uring4j.net.UringNet} makes TCP (IPv4, IPv6) and Unix domain
 * stream sockets, {@link org.uring4j.net.UringSocket} and {@link org.uring4j.net.UringServerSocket},
 * with blocking calls that park virtual threads, CompletableFuture forms and stream views, on the
 * runtime's event loops or, where io_uring is unavailable, on java.nio socket channels.
 * {@link org.uring4j.net.UringSocket#receive} is a stream receive: a
 * {@link org.uring4j.net.ReceiveHandler} gets each chunk as it arrives (one multishot RECV per
 * connection into the loop's provided-buffer ring), with {@link org.uring4j.net.Receiving} to
 * pause, resume and see the end.
 */
package org.uring4j.net;
