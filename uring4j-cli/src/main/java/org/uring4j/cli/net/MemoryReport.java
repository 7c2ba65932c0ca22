package org.uring4j.cli.net;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

/**
 * What a JVM holds after a full GC: Java heap in use, the resident set, and, when the JVM runs
 * with {@code -XX:NativeMemoryTracking}, the native memory its program has committed (-1
 * without): NMT's categories Other (FFM arenas, direct buffers, Unsafe), Internal, Thread
 * (stacks) and Synchronization. The rest is the heap, counted apart, and the JVM's own code,
 * class and compiler memory, which the JIT grows and frees at its own pace. A server child of
 * {@code net-bench --idle} sends one as a line on request.
 */
record MemoryReport(long heapUsed, long rss, long nativeCommitted) {
    private static final String PREFIX = "memory ";
    /** A category's line of {@code VM.native_memory summary}: {@code -   Other (reserved=12314KB, committed=12314KB)}. */
    private static final Pattern NMT_CATEGORY = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB");
    private static final Set<String> PROGRAM_CATEGORIES = Set.of("Other", "Internal", "Thread", "Synchronization");

    /** This JVM's, after two full collections (the second frees what the first one's cleaners released). */
    static MemoryReport ofThisJvm() throws IOException {
        System.gc();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new MemoryReport(heap, residentSet(), programNative());
    }

    private static long residentSet() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    /** The committed memory of NMT's {@link #PROGRAM_CATEGORIES}, or -1 if the JVM does not track native memory. */
    private static long programNative() {
        String summary;
        try {
            summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            return -1;
        }
        Matcher m = NMT_CATEGORY.matcher(summary);
        long kib = 0;
        boolean any = false;
        while (m.find()) {
            any = true;
            if (PROGRAM_CATEGORIES.contains(m.group(1))) {
                kib += Long.parseLong(m.group(2));
            }
        }
        return any ? kib * 1024 : -1; // none: "Native memory tracking is not enabled"
    }

    String line() {
        return PREFIX + heapUsed + " " + rss + " " + nativeCommitted;
    }

    static MemoryReport parse(String line) throws IOException {
        if (line == null || !line.startsWith(PREFIX)) {
            throw new IOException("expected a memory report from the server, got: " + line);
        }
        String[] f = line.substring(PREFIX.length()).trim().split(" ");
        return new MemoryReport(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
    }
}
