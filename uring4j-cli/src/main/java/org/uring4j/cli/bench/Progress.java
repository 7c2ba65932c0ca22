package org.uring4j.cli.bench;

import java.io.Console;
import java.io.PrintStream;
import java.util.function.LongConsumer;

/** A one-line progress bar on stderr, drawn only when the output is a terminal (never into a pipe). */
class Progress implements LongConsumer {
    private static final Progress NONE = new Progress(null, null, 0, 0);

    private final BenchSpec spec;
    private final PrintStream err;
    private final long started = System.nanoTime();
    private final int round;
    private final int rounds;
    private long lastCount;
    private long lastTime = started;

    private Progress(BenchSpec spec, PrintStream err, int round, int rounds) {
        this.spec = spec;
        this.err = err;
        this.round = round;
        this.rounds = rounds;
    }

    /** True if stdout and stderr are a terminal and TERM is usable. */
    static boolean terminal() {
        Console c = System.console();
        String term = System.getenv("TERM");
        return c != null && c.isTerminal() && term != null && !term.isEmpty() && !term.equals("dumb");
    }

    /** A bar for {@code spec}'s run in round {@code round} of {@code rounds}, or one that draws nothing. */
    static Progress forTerminal(BenchSpec spec, int round, int rounds) {
        return terminal() ? new Progress(spec, System.err, round, rounds) : NONE;
    }

    @Override
    public void accept(long count) {
        if (err == null) {
            return;
        }
        long now = System.nanoTime();
        double rate = (count - lastCount) / ((now - lastTime) / 1e9);
        lastCount = count;
        lastTime = now;
        double frac = Math.min(1, (now - started) / (spec.seconds() * 1e9));
        int width = 30;
        int filled = (int) Math.round(frac * width);
        err.printf("\r[%s%s] %3.0f%%  %-12s %s qd %d  round %d/%d  %,.0f IOPS   ", "#".repeat(filled),
                "-".repeat(width - filled), frac * 100, spec.engine().label(), spec.direct() ? "direct" : "cached",
                spec.qd(), round + 1, rounds, rate);
        err.flush();
    }

    /** Clears the bar. */
    void done() {
        if (err != null) {
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
        }
    }
}
