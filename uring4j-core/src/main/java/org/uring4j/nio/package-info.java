/**
 * java.nio channels over io_uring that behave as the JDK's own:
 * {@link org.uring4j.nio.UringFileChannel} (an {@link java.nio.channels.AsynchronousFileChannel}),
 * {@link org.uring4j.nio.UringAsynchronousSocketChannel} and
 * {@link org.uring4j.nio.UringAsynchronousServerSocketChannel}.
 */
package org.uring4j.nio;
