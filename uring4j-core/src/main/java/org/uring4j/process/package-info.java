/**
 * Launching processes (seed 001): a {@link org.uring4j.process.Spawn} is a command and a chain of
 * setup steps (redirections, opens, dup2s, closes, a working directory, a new session); starting
 * it runs the steps and the exec — with the $PATH search — in a vfork-style child
 * ({@code posix_spawn}), and everything after happens on the ring: the exit is an
 * IORING_OP_WAITID on the child's pidfd, its pipes are read and written with READ and WRITE.
 * No thread waits for a child.
 */
package org.uring4j.process;
