package org.uring4j.process;

/**
 * How a child ended, from the {@code siginfo_t} its WAITID filled: an exit code, or the signal
 * that killed it.
 *
 * @param code       the exit code (0..255) if it exited, else the signal number
 * @param signaled   killed by signal {@code code}, rather than exited
 * @param coreDumped killed by a signal that dumped core
 */
public record ExitStatus(int code, boolean signaled, boolean coreDumped) {

    /** The number a shell (and {@link Process#exitValue()}) gives: the exit code, or 128 + the signal. */
    public int exitValue() {
        return signaled ? 128 + code : code;
    }

    /** Exited with code 0. */
    public boolean success() {
        return !signaled && code == 0;
    }

    @Override
    public String toString() {
        return signaled ? "killed by signal " + code + (coreDumped ? " (core dumped)" : "") : "exit " + code;
    }
}
