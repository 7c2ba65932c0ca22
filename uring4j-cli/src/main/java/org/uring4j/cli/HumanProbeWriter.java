package org.uring4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.uring4j.ring.Feature;
import org.uring4j.ring.Opcode;
import org.uring4j.runtime.FixedFileTable;
import org.uring4j.runtime.LoopOptions;

/** Writes a {@link ProbeReport} for a person: a short summary, the features, then one line per op. */
final class HumanProbeWriter {
    private static final int LABEL_WIDTH = 19;
    private static final int FEATURE_COLUMNS = 3;

    private final PrintWriter out;
    private final Style style;

    HumanProbeWriter(PrintWriter out, Style style) {
        this.out = out;
        this.style = style;
    }

    void write(ProbeReport r) {
        HostFacts host = r.host();
        row("uring4j", VersionInfo.version() + " on JDK " + Runtime.version());
        row("kernel", host.kernel() + " (" + host.arch() + ")");
        if (r.available()) {
            row("io_uring", style.good(style.bold("available")));
        } else {
            row("io_uring", style.bad(style.bold("unavailable")) + ": " + r.reason());
            row("  why", r.message());
            String fix = fix(r.reason());
            if (fix != null) {
                row("  fix", fix);
            }
        }
        row("backend", r.backend() + (r.available() ? "" : style.dim(" (uring4j falls back on NIO and threads)")));
        row("io_uring_disabled", sysctl(host.ioUringDisabled()));
        row("seccomp", seccomp(host.seccomp(), host.seccompFilters()));
        row("RLIMIT_MEMLOCK", memlock(host.memlock()));
        row("fixed files", fixedFiles());
        out.println();
        features(r);
        out.println();
        ops(r);
    }

    private void features(ProbeReport r) {
        int known = Feature.values().length;
        if (!r.available()) {
            row(style.bold("features"), style.dim("unknown (no ring)"));
        } else {
            row(style.bold("features"), r.features().size() + " of the " + known + " uring4j knows");
        }
        int width = 0;
        for (Feature f : Feature.values()) {
            width = Math.max(width, f.name().length());
        }
        List<String> cells = new ArrayList<>();
        for (Feature f : Feature.values()) {
            cells.add(pad(f.name(), width + 2) + mark(r.available(), r.features().contains(f), 3));
        }
        for (int i = 0; i < cells.size(); i += FEATURE_COLUMNS) {
            out.println("  " + String.join("   ", cells.subList(i, Math.min(i + FEATURE_COLUMNS, cells.size()))).stripTrailing());
        }
    }

    private void ops(ProbeReport r) {
        String summary;
        if (!r.available()) {
            summary = style.dim("unknown (no ring)");
        } else if (r.probeError() != null) {
            summary = style.warn("the kernel cannot say (" + r.probeError() + ")");
        } else {
            summary = r.supportedOps().size() + " of the " + Opcode.values().length + " uring4j knows supported"
                    + style.dim(" (kernel last_op " + r.lastOp() + ")");
            if (r.unknownSupported() > 0) {
                summary += style.warn(" (" + r.unknownSupported() + " newer than this uring4j)");
            }
        }
        row(style.bold("ops"), summary);
        int width = 0;
        for (Opcode op : Opcode.values()) {
            width = Math.max(width, op.name().length());
        }
        out.println(style.dim("  code  " + pad("op", width) + "  since  supported  prepared by"));
        boolean known = r.available() && r.probeError() == null;
        for (Opcode op : Opcode.values()) {
            out.println(String.format("  %4d  %s  %-5s  %s  Sqe.%s", op.code(), pad(op.name(), width), op.since(),
                    mark(known, r.supports(op), 9), op.prepMethod()));
        }
    }

    /** yes / no / ?, padded to {@code width} before colouring so the columns stay aligned. */
    private String mark(boolean known, boolean yes, int width) {
        if (!known) {
            return style.dim(pad("?", width));
        }
        return yes ? style.good(pad("yes", width)) : style.bad(pad("no", width));
    }

    private void row(String label, String value) {
        // Pad on the visible label: ANSI codes take no columns.
        String visible = label.replaceAll("\u001b\\[[0-9;]*m", "");
        out.println(label + " ".repeat(Math.max(1, LABEL_WIDTH - visible.length())) + value);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String fix(String reason) {
        return switch (reason) {
            case "DISABLED_BY_SYSCTL" -> "sysctl -w kernel.io_uring_disabled=0 (with 1, join the kernel.io_uring_group group)";
            case "BLOCKED_BY_SECCOMP" -> "allow io_uring_setup, io_uring_enter and io_uring_register in the seccomp profile"
                    + " (e.g. docker run --security-opt seccomp=<profile>)";
            case "KERNEL_TOO_OLD" -> "run on Linux 5.1 or newer built with CONFIG_IO_URING";
            case "MEMLOCK_LIMIT" -> "raise RLIMIT_MEMLOCK: ulimit -l, or LimitMEMLOCK= for a systemd service";
            case "UNSUPPORTED_PLATFORM" -> "io_uring needs Linux";
            default -> null;
        };
    }

    private static String sysctl(Integer v) {
        if (v == null) {
            return "(no such sysctl: kernel before 6.6)";
        }
        return v + switch (v) {
            case 0 -> " (allowed for all processes)";
            case 1 -> " (only for root and kernel.io_uring_group)";
            case 2 -> " (disabled for all processes)";
            default -> "";
        };
    }

    private static String seccomp(Integer mode, Integer filters) {
        if (mode == null) {
            return "unknown";
        }
        return mode + switch (mode) {
            case 0 -> " (no filter)";
            case 1 -> " (strict mode)";
            case 2 -> " (filter mode, " + (filters != null ? filters : "?") + " filter" + (filters != null && filters == 1 ? "" : "s")
                    + ": a filter may block io_uring)";
            default -> "";
        };
    }

    /** The size of each loop's registered file table: the default, or the soft RLIMIT_NOFILE if that is lower. */
    private String fixedFiles() {
        int wanted = new LoopOptions().fixedFiles();
        int slots = FixedFileTable.sizeFor(wanted);
        return slots + " slots per loop" + (slots < wanted
                ? style.dim(" (RLIMIT_NOFILE " + slots + " is below the default " + wanted + "; ulimit -n to raise it)") : "");
    }

    private String memlock(HostFacts.Limit limit) {
        if (limit == null) {
            return "unknown";
        }
        return bytes(limit.soft()) + " soft, " + bytes(limit.hard()) + " hard"
                + style.dim(" (since 5.12 rings are not charged to it; registered buffers are)");
    }

    static String bytes(long n) {
        if (n == HostFacts.Limit.UNLIMITED) {
            return "unlimited";
        }
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (u < units.length - 1 && n >= 1024 && n % 1024 == 0) {
            n /= 1024;
            u++;
        }
        return n + " " + units[u];
    }
}
