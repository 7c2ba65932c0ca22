/**
 * java.nio channels over io_uring: {@link org.uring4j.nio.UringFileChannel}, an
 * {@link java.nio.channels.AsynchronousFileChannel} that behaves as the JDK's own.
 */
package org.uring4j.nio;
