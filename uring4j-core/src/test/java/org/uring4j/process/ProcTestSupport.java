package org.uring4j.process;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.uring4j.ring.Uapi;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/** What the process tests look at from the outside: /proc, descriptors, zombies. Every wait is bounded. */
final class ProcTestSupport {
    /** Bound on every wait, so that a broken test fails rather than hangs. */
    static final long WAIT = 30;

    private ProcTestSupport() {
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT, TimeUnit.SECONDS);
    }

    /** The exit, waited for at most {@link #WAIT} seconds. */
    static ExitStatus exit(Child c) throws Exception {
        return get(c.onExit());
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** This JVM's open descriptors (the one used to list them included, as it is every time). */
    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** The descriptors process {@code pid} has open, sorted. */
    static TreeSet<Integer> fdsOf(int pid) throws IOException {
        TreeSet<Integer> fds = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            s.forEach(p -> fds.add(Integer.parseInt(p.getFileName().toString())));
        }
        return fds;
    }

    /** Fields of /proc/pid/stat after the command name: [0] is the state, [1] ppid, [2] pgrp, [3] session. Null if gone. */
    static String[] stat(int pid) throws IOException {
        String s;
        try {
            s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (NoSuchFileException e) {
            return null;
        }
        return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** The state letter of {@code pid} (R, S, Z, ...), or null if there is no such process. */
    static String state(int pid) throws IOException {
        String[] st = stat(pid);
        return st == null ? null : st[0];
    }

    /** Children of this JVM that are zombies: exited and not reaped. */
    static List<Integer> zombies() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Integer> z = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] st = stat(Integer.parseInt(name));
                if (st != null && st[0].equals("Z") && Long.parseLong(st[1]) == self) {
                    z.add(Integer.parseInt(name));
                }
            }
        }
        return z;
    }

    /** Kills {@code pid} (no pidfd: for cleaning up a child the library lost) and reaps it. */
    static void killAndReap(int pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(Layouts.SIGINFO);
            Syscalls.waitid(Uapi.P_PID, pid, info, Uapi.WEXITED);
        }
    }

    /** This process's umask, from /proc/self/status. */
    static int umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalStateException("no Umask line");
    }

    /** A line of /proc/pid/status, e.g. "SigBlk", its value. */
    static String status(String text, String key) {
        return text.lines().filter(l -> l.startsWith(key + ":")).map(l -> l.substring(key.length() + 1).trim())
                .findFirst().orElseThrow();
    }

    /** Opens {@code path} read-only without O_CLOEXEC, as much JDK code does: a descriptor a careless spawn leaks. */
    static int openInheritable(Path path) {
        try (Arena a = Arena.ofConfined()) {
            return Syscalls.openat(Uapi.AT_FDCWD, a.allocateFrom(path.toString()), Uapi.O_RDONLY, 0);
        }
    }
}
