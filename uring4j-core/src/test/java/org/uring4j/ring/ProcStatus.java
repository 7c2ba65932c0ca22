package org.uring4j.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a {@code /proc/<pid>/status} text, by name ("Pid", "Tgid", "Name", "Uid"...),
 * for the tests that check which task an io_uring request ran as.
 */
public record ProcStatus(Map<String, String> fields) {

    /** Parses "Key:\tvalue" lines; the value is trimmed. */
    public static ProcStatus parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return new ProcStatus(m);
    }

    /**
     * The kernel thread id of the calling platform thread, read with plain file I/O (which runs on
     * the calling thread) from {@code /proc/thread-self/status}.
     */
    public static long callingThreadTid() throws IOException {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a virtual thread has no fixed kernel thread");
        }
        return parse(Files.readString(Path.of("/proc/thread-self/status"))).pid();
    }

    public String get(String name) {
        String v = fields.get(name);
        if (v == null) {
            throw new AssertionError("no \"" + name + ":\" line in status: " + fields.keySet());
        }
        return v;
    }

    /** "Pid:": the task (thread) id. */
    public long pid() {
        return Long.parseLong(get("Pid"));
    }

    /** "Tgid:": the thread group, i.e. the process id. */
    public long tgid() {
        return Long.parseLong(get("Tgid"));
    }

    /** "Name:": the task's comm. */
    public String name() {
        return get("Name");
    }

    /** Field {@code index} of "Uid:" (0 real, 1 effective, 2 saved, 3 filesystem). */
    public int uid(int index) {
        return Integer.parseInt(get("Uid").split("\\s+")[index]);
    }

    /** Field {@code index} of "Gid:" (0 real, 1 effective, 2 saved, 3 filesystem). */
    public int gid(int index) {
        return Integer.parseInt(get("Gid").split("\\s+")[index]);
    }
}
