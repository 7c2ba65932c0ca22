package org.uring4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the host says about io_uring's chances, read from procfs: the kernel release, the
 * {@code kernel.io_uring_disabled} sysctl, this process's seccomp mode and its RLIMIT_MEMLOCK.
 * Each is null where it cannot be read (no such file: an older kernel, or not Linux).
 *
 * @param kernel            {@code uname -r}
 * @param arch              the JVM's {@code os.arch}
 * @param ioUringDisabled   {@code kernel.io_uring_disabled} (0, 1, 2; the sysctl exists since 6.6)
 * @param seccomp           the {@code Seccomp:} mode of /proc/self/status (0 none, 1 strict, 2 filter)
 * @param seccompFilters    the {@code Seccomp_filters:} count of /proc/self/status
 * @param memlock           RLIMIT_MEMLOCK from /proc/self/limits
 */
record HostFacts(String kernel, String arch, Integer ioUringDisabled, Integer seccomp, Integer seccompFilters,
                 Limit memlock) {

    /**
     * A resource limit in bytes.
     *
     * @param soft the soft limit, or {@link #UNLIMITED}
     * @param hard the hard limit, or {@link #UNLIMITED}
     */
    record Limit(long soft, long hard) {
        static final long UNLIMITED = -1;
    }

    private static final Pattern MEMLOCK = Pattern.compile("^Max locked memory\\s+(\\S+)\\s+(\\S+)");

    /** Reads the facts of this machine and process. */
    static HostFacts read() {
        List<String> status = lines("/proc/self/status");
        return new HostFacts(kernelRelease(), System.getProperty("os.arch"),
                parseInt(firstLine("/proc/sys/kernel/io_uring_disabled")),
                parseInt(field(status, "Seccomp:")), parseInt(field(status, "Seccomp_filters:")),
                memlock(lines("/proc/self/limits")));
    }

    /** {@code uname -r}: /proc/sys/kernel/osrelease, else the JVM's os.version. */
    static String kernelRelease() {
        String r = firstLine("/proc/sys/kernel/osrelease");
        return r != null ? r : System.getProperty("os.version");
    }

    static Limit memlock(List<String> limits) {
        for (String line : limits) {
            Matcher m = MEMLOCK.matcher(line);
            if (m.find()) {
                return new Limit(limitValue(m.group(1)), limitValue(m.group(2)));
            }
        }
        return null;
    }

    private static long limitValue(String s) {
        return s.equals("unlimited") ? Limit.UNLIMITED : Long.parseLong(s);
    }

    static String field(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).strip();
            }
        }
        return null;
    }

    private static Integer parseInt(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String firstLine(String path) {
        List<String> l = lines(path);
        return l.isEmpty() ? null : l.get(0).strip();
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException | SecurityException e) {
            return List.of(); // not Linux, no procfs, or an older kernel without this file
        }
    }
}
