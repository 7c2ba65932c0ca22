package org.uring4j.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream receive on the portable backend: a virtual thread of its own reads into a buffer of
 * the stream's and hands each chunk to the handler; a pause makes it wait (after the read it is
 * in, whose bytes it keeps) until the resume.
 */
final class PortableReceiver implements Receiving {
    private static final int BUFFER = 16 * 1024;

    private final SocketChannel channel;
    private final ReceiveHandler handler;
    private final Runnable closeSocket;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition resumed = lock.newCondition();
    private volatile boolean paused;

    PortableReceiver(SocketChannel channel, ReceiveHandler handler, Runnable closeSocket) {
        this.channel = channel;
        this.handler = handler;
        this.closeSocket = closeSocket;
    }

    void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER);
            ByteBuffer bb = buf.asByteBuffer();
            while (true) {
                bb.clear();
                int n = channel.read(bb);
                if (n < 0) {
                    awaitResume();
                    try {
                        handler.onEnd();
                    } catch (Throwable ignored) {
                        // the stream is over either way
                    }
                    done.complete(null);
                    return;
                }
                if (n == 0) {
                    continue;
                }
                boolean more;
                // Under the lock: once pause() has returned, no chunk is handed over until resume().
                lock.lock();
                try {
                    awaitResume();
                    more = Chunks.deliver(handler, buf.asSlice(0, n));
                    if (!more) {
                        paused = true;
                    }
                } catch (InterruptedException | ClosedChannelException e) {
                    throw e;
                } catch (Throwable t) {
                    closeSocket.run();
                    fail(t);
                    return;
                } finally {
                    lock.unlock();
                }
            }
        } catch (ClosedChannelException e) {
            fail(e instanceof java.nio.channels.AsynchronousCloseException ? e : NetErrors.asyncClosed());
        } catch (IOException | RuntimeException e) {
            fail(e);
        } catch (InterruptedException e) {
            fail(NetErrors.asyncClosed());
        }
    }

    /** Waits while paused; a close meanwhile ends the wait with AsynchronousCloseException. */
    private void awaitResume() throws InterruptedException, ClosedChannelException {
        if (!paused) {
            return;
        }
        lock.lock();
        try {
            while (paused) {
                if (!channel.isOpen()) {
                    throw NetErrors.asyncClosed();
                }
                resumed.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    void fail(Throwable t) {
        if (done.isDone()) {
            return;
        }
        try {
            handler.onError(t);
        } catch (Throwable ignored) {
            // the stream is over either way
        }
        done.completeExceptionally(t);
    }

    @Override
    public void pause() {
        lock.lock(); // waits for a handler call in progress on the stream's thread
        try {
            paused = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            paused = false;
            resumed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public CompletableFuture<Void> done() {
        return done;
    }
}
