package org.uring4j.process;

import java.util.concurrent.CompletableFuture;

/**
 * How the portable backend reaches a child: its {@link Process}. The JDK's reaper thread waits
 * for the exit; SIGTERM and SIGKILL are {@link Process#destroy()} and
 * {@link Process#destroyForcibly()}, the only signals java.lang.Process can send.
 */
final class ProcessControl implements Child.Control {
    private final Process process;
    private final String command;

    ProcessControl(Process process, String command, CompletableFuture<ExitStatus> exit) {
        this.process = process;
        this.command = command;
        // exitValue() is the exit code, or 128 + the signal that killed it: which one, it does not say.
        process.onExit().whenComplete((p, t) -> {
            if (t != null) {
                exit.completeExceptionally(t);
            } else {
                exit.complete(new ExitStatus(p.exitValue(), false, false));
            }
        });
    }

    @Override
    public void signal(int signal) {
        if (signal != Child.SIGTERM && signal != Child.SIGKILL) {
            throw new UnsupportedOperationException("signal " + signal + " to " + command + " (pid " + process.pid()
                    + "): the portable backend (java.lang.Process) sends only SIGTERM and SIGKILL");
        }
        if (!process.isAlive()) {
            return;
        }
        if (signal == Child.SIGKILL) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
    }

    @Override
    public void closed() {
        // the JDK's reaper owns the process; nothing of ours to let go
    }
}
