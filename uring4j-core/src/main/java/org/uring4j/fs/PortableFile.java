package org.uring4j.fs;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.sys.Scopes;

/**
 * The portable backend of an {@link AsyncFile}: a {@link FileChannel} (none for a directory
 * handle) whose operations run as blocking calls on the owning {@link PortableFiles}' virtual
 * threads — never on the caller's thread, whose interrupt would close a FileChannel under
 * everyone else's feet. As {@link RingFile} does, it counts the operations in flight and closes
 * only after the last has finished. A pipe or FIFO (a stream: no positions) is read and written
 * at its current position, as io_uring does, on platform threads, whose blocked calls closing the
 * channel can end.
 */
final class PortableFile implements FileIo {
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private final PortableFiles owner;
    private final Path path;
    private final FileChannel channel;
    private final boolean stream;
    private final CloseGate gate;
    private volatile boolean aborted;

    /** A file; {@code channel} null for a directory handle; {@code stream} for a pipe, FIFO or terminal. */
    PortableFile(PortableFiles owner, Path path, FileChannel channel, boolean stream) {
        this.owner = owner;
        this.path = path;
        this.channel = channel;
        this.stream = stream;
        this.gate = new CloseGate(path.toString(), this::startClose);
    }

    boolean isStream() {
        return stream;
    }

    /** Closes the channel under the calls in flight, which fail with ECANCELED (the files are closing). */
    void abort() {
        aborted = true;
        gate.close();
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closed as far as it goes; startClose reports nothing more
        }
    }

    @Override
    public Backend backend() {
        return Backend.PORTABLE;
    }

    @Override
    public String path() {
        return path.toString();
    }

    Path file() {
        return path;
    }

    @Override
    public boolean isClosed() {
        return gate.isClosing();
    }

    @Override
    public int fd() {
        throw new UnsupportedOperationException(path + ": the portable backend's FileChannel keeps its descriptor to itself");
    }

    // ------------------------------------------------------------------ operations

    /** A blocking call on the file's channel. */
    private interface Call<T> {
        T run(FileChannel channel) throws IOException;
    }

    /** Runs {@code call} on a virtual thread of the owner, counted in flight so close waits for it. */
    private <T> CompletableFuture<T> run(String op, Call<T> call) {
        return run(op, true, call);
    }

    /** As {@link #run(String, Call)}; {@code needsChannel} false for the ops a directory handle allows too. */
    private <T> CompletableFuture<T> run(String op, boolean needsChannel, Call<T> call) {
        if (owner.isClosed()) {
            // As on io_uring, where the closed loop refuses the op: a failed future, as for a closed file.
            return CompletableFuture.failedFuture(closedByRuntime(op));
        }
        if (!gate.enter()) {
            return CompletableFuture.failedFuture(gate.closedException());
        }
        // A call on a thread of its own cannot be cancelled: a caller's interrupt is waited through
        // (as the JDK's Process streams do), so that no byte it moves goes unseen.
        CompletableFuture<T> result = Await.throughInterrupt();
        try {
            owner.execute(() -> {
                try {
                    if (needsChannel && channel == null) {
                        throw new UringException(op, Errno.EISDIR.number(), UringException.NO_FD, path(), "a directory handle");
                    }
                    result.complete(call.run(channel));
                } catch (NonReadableChannelException | NonWritableChannelException e) {
                    // What the kernel says for a read of a write-only file and the reverse.
                    result.completeExceptionally(new UringException(op, Errno.EBADF.number(), UringException.NO_FD, path(),
                            e instanceof NonReadableChannelException ? "not open for reading" : "not open for writing"));
                } catch (ClosedChannelException e) {
                    if (aborted) {
                        // Closing the files ended the call, as closing a ring cancels its ops.
                        result.completeExceptionally(new UringException(op, Errno.ECANCELED.number(), UringException.NO_FD,
                                path(), "the files were closed"));
                    } else if (!(e instanceof java.nio.channels.AsynchronousCloseException) && gate.isClosing()) {
                        // Asked for before the file's close, which closed the channel first: as a pending op, not a later one.
                        java.nio.channels.AsynchronousCloseException ace = new java.nio.channels.AsynchronousCloseException();
                        ace.initCause(e);
                        result.completeExceptionally(ace);
                    } else {
                        result.completeExceptionally(e);
                    }
                } catch (IOException e) {
                    result.completeExceptionally(translate(op, e));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    gate.exit();
                }
            }, stream);
        } catch (RejectedExecutionException e) {
            gate.exit();
            return CompletableFuture.failedFuture(closedByRuntime(op));
        }
        return result;
    }

    /** What an op fails with once the files are closed: ClosedChannelException, as for a closed file. */
    private ClosedChannelException closedByRuntime(String op) {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(new IOException(op + " " + path + ": the files were closed"));
        return e;
    }

    /**
     * An open file's java.nio failure as the io_uring backend reports it: a UringException with
     * the errno (the cause of a path form's java.nio.file exception; the JDK's message otherwise).
     */
    private IOException translate(String op, IOException e) {
        if (e instanceof UringException) {
            return e;
        }
        if (e.getCause() instanceof UringException u) {
            return u; // a path exception of PortableFiles' helpers: an open file reports the errno itself
        }
        int errno = PortableFiles.errnoOf(e);
        String message = e instanceof java.nio.file.FileSystemException f ? f.getReason() : e.getMessage();
        if (errno == 0 && message != null && message.contains("is not a multiple of the block size")) {
            errno = Errno.EINVAL.number(); // the JDK's own O_DIRECT alignment check: the kernel's answer would be EINVAL
        }
        if (errno == 0) {
            return e;
        }
        UringException u = new UringException(op, errno, UringException.NO_FD, path(), message);
        u.addSuppressed(e);
        return u;
    }

    /**
     * A positional read or write. Memory confined to the caller's thread cannot be touched by the
     * virtual thread doing the call, so it goes through a heap copy: a write copies first and runs
     * asynchronously; a read waits for the call (uninterruptibly, as the caller's interrupt must
     * not close the channel) and copies back before it returns.
     */
    @Override
    public CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer, long position) {
        if (Scopes.confined(target)) {
            MemorySegment copy = MemorySegment.ofArray(new byte[(int) target.byteSize()]);
            if (write) {
                MemorySegment.copy(target, 0, copy, 0, copy.byteSize());
            }
            CompletableFuture<Integer> done = transfer(write, copy, null, position);
            if (write) {
                return buffer == null ? done : done.thenApply(n -> advance(buffer, n));
            }
            try {
                int n = done.join();
                if (n > 0) {
                    MemorySegment.copy(copy, 0, target, 0, n);
                }
                return CompletableFuture.completedFuture(buffer == null ? n : advance(buffer, n));
            } catch (java.util.concurrent.CompletionException e) {
                return CompletableFuture.failedFuture(e.getCause());
            }
        }
        return run(write ? "WRITE" : "READ", ch -> {
            if (target.byteSize() == 0) {
                return 0; // as the kernel: a transfer of nothing moves nothing, even past the end
            }
            ByteBuffer b = buffer != null ? buffer : target.asByteBuffer();
            if (stream) {
                return write ? ch.write(b) : ch.read(b); // as io_uring: a stream has no positions, the offset is ignored
            }
            return write ? ch.write(b, position) : ch.read(b, position);
        });
    }

    private static int advance(ByteBuffer buffer, int n) {
        if (n > 0) {
            buffer.position(buffer.position() + n);
        }
        return n;
    }

    /**
     * FileChannel has no positional scatter/gather: one positional call per buffer, stopping at a
     * short one (buffers of thread-confined memory: see {@link #transfer(boolean, MemorySegment, ByteBuffer, long)}).
     */
    @Override
    public CompletableFuture<Long> transfer(boolean write, ByteBuffer[] buffers, long position) {
        for (ByteBuffer b : buffers) {
            if (Scopes.confined(MemorySegment.ofBuffer(b))) {
                return confinedVector(write, buffers, position);
            }
        }
        return run(write ? "WRITEV" : "READV", ch -> {
            if (stream) {
                return write ? ch.write(buffers) : ch.read(buffers); // readv(2)/writev(2) at the current position
            }
            long done = 0;
            boolean any = false;
            for (ByteBuffer b : buffers) {
                if (!b.hasRemaining()) {
                    continue;
                }
                any = true;
                int n = write ? ch.write(b, position + done) : ch.read(b, position + done);
                if (n < 0) {
                    return done == 0 ? -1L : done;
                }
                done += n;
                if (b.hasRemaining()) {
                    break;
                }
            }
            return !any ? 0L : done;
        });
    }

    /** One transfer through a heap copy of all the buffers, then spread over them (on the caller's thread). */
    private CompletableFuture<Long> confinedVector(boolean write, ByteBuffer[] buffers, long position) {
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        MemorySegment copy = MemorySegment.ofArray(new byte[(int) total]);
        if (write) {
            long at = 0;
            for (ByteBuffer b : buffers) {
                MemorySegment.copy(MemorySegment.ofBuffer(b), 0, copy, at, b.remaining());
                at += b.remaining();
            }
        }
        CompletableFuture<Integer> done = transfer(write, copy, null, position);
        try {
            int n = done.join(); // a write too: the buffers' positions advance on this thread
            long left = Math.max(n, 0);
            long at = 0;
            for (ByteBuffer b : buffers) {
                int k = (int) Math.min(left, b.remaining());
                if (!write && k > 0) {
                    MemorySegment.copy(copy, at, MemorySegment.ofBuffer(b), 0, k);
                }
                b.position(b.position() + k);
                left -= k;
                at += k;
            }
            return CompletableFuture.completedFuture((long) n);
        } catch (java.util.concurrent.CompletionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
    }

    @Override
    public CompletableFuture<Void> sync(boolean metadata) {
        return run("FSYNC", ch -> {
            ch.force(metadata);
            return null;
        });
    }

    /** Mode 0 extends the file to cover the range (sparsely: FileChannel cannot reserve blocks). */
    @Override
    public CompletableFuture<Void> allocate(long position, long length, int mode) {
        if (mode != 0 && mode != FALLOC_FL_KEEP_SIZE) {
            throw new UnsupportedOperationException("FALLOCATE mode 0x" + Integer.toHexString(mode) + " on " + path
                    + " needs io_uring; the portable backend only extends files (mode 0)");
        }
        return run("FALLOCATE", ch -> {
            requireWritable(ch, "FALLOCATE", Errno.EBADF); // as fallocate(2), even where nothing needs to change
            long end = Math.addExact(position, length);
            if (mode == 0 && end > ch.size()) {
                extend(ch, end);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> truncate(long size) {
        return run("FTRUNCATE", false, ch -> {
            // ftruncate(2) answers EINVAL for a directory and for a file not open for writing.
            if (ch == null) {
                throw new UringException("FTRUNCATE", Errno.EINVAL.number(), UringException.NO_FD, path(), "a directory handle");
            }
            requireWritable(ch, "FTRUNCATE", Errno.EINVAL);
            if (size < ch.size()) {
                ch.truncate(size);
            } else if (size > ch.size()) {
                extend(ch, size); // FileChannel.truncate never grows a file; ftruncate(2) does, with zeros
            }
            return null;
        });
    }

    /**
     * Fails with {@code errno}, as the kernel's call does, unless {@code ch} was opened for
     * writing: FileChannel checks that only where it writes (a zero-byte write asks it and moves
     * nothing), and this backend may need no write to do what was asked.
     */
    private void requireWritable(FileChannel ch, String op, Errno errno) throws IOException {
        try {
            ch.write(ByteBuffer.allocate(0), 0);
        } catch (NonWritableChannelException e) {
            throw new UringException(op, errno.number(), UringException.NO_FD, path(), "not open for writing");
        }
    }

    /** Grows the file to {@code size} bytes by writing its last byte, a zero past the old end. */
    private static void extend(FileChannel ch, long size) throws IOException {
        ch.write(ByteBuffer.allocate(1), size - 1);
    }

    /** A hint the JDK has no call for: accepted and ignored, but an advice posix_fadvise(2) does not know is EINVAL. */
    @Override
    public CompletableFuture<Void> advise(long position, long length, int advice) {
        return run("FADVISE", ch -> {
            if (advice < Uapi.POSIX_FADV_NORMAL || advice > Uapi.POSIX_FADV_NOREUSE) {
                throw new UringException("FADVISE", Errno.EINVAL.number(), UringException.NO_FD, path(), "advice " + advice);
            }
            return null;
        });
    }

    /** The path's attributes, with the size of the open file (the path may since name another file, or none). */
    @Override
    public CompletableFuture<FileStat> stat() {
        return run("STATX", false, ch -> {
            long size = ch != null ? ch.size() : -1;
            try {
                return PortableFiles.statOf(path, true, size);
            } catch (java.nio.file.NoSuchFileException e) {
                return new FileStat(Uapi.STATX_TYPE | Uapi.STATX_SIZE, Uapi.S_IFREG, size, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        null, null, null, null, 0, 0, 0, 0);
            }
        });
    }

    @Override
    public CompletableFuture<byte[]> getXattr(String name) {
        return run("FGETXATTR", false, ch -> PortableFiles.readXattr("FGETXATTR", path, name));
    }

    @Override
    public CompletableFuture<Void> setXattr(String name, byte[] value, int flags) {
        return run("FSETXATTR", false, ch -> {
            PortableFiles.writeXattr("FSETXATTR", path, name, value, flags);
            return null;
        });
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public CompletableFuture<Void> closeAsync() {
        CompletableFuture<Void> closed = gate.close();
        if (stream && !closed.isDone()) {
            // A read of an empty pipe would never end: closing the channel under it ends it with
            // AsynchronousCloseException (on its platform thread), as FileChannel.close does for any reader.
            try {
                channel.close();
            } catch (IOException ignored) {
                // startClose closes it again and reports
            }
        }
        return closed;
    }

    /** The gate's closer: runs once, with no call of this file in flight. */
    private void startClose(CompletableFuture<Void> closed) {
        owner.forget(this);
        try {
            if (channel != null) {
                channel.close();
            }
            closed.complete(null);
        } catch (IOException e) {
            closed.completeExceptionally(e);
        }
    }

    @Override
    public String toString() {
        return "AsyncFile[" + path + ", portable" + (gate.isClosing() ? ", closed" : "") + "]";
    }
}
