package org.uring4j.process;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.UringUnavailableException;
import org.uring4j.fs.Backend;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.runtime.UringRuntime;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.PosixSpawn;
import org.uring4j.sys.Syscalls;

/**
 * A command to launch, and the setup steps that run in the child before it execs (seed 001):
 * redirections of stdin, stdout and stderr, opens, dup2s and closes of other descriptors, a
 * working directory, a new session — then the exec, with the $PATH search when the command has
 * no slash, as execvp(3) does (and, as execvp does, an executable file the kernel will not run,
 * a script without a {@code #!} line, is run with /bin/sh). Like {@link ProcessBuilder}, but the child is watched and its
 * pipes are served by an io_uring {@link EventLoop}: no thread per child.
 *
 * <pre>{@code
 * try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) {
 *     Child ls = Spawn.command("ls", "-l").directory(dir).stdout(Redirect.PIPE).start(rt);
 *     String listing = new String(ls.stdout().readAllBytes());
 *     ExitStatus status = ls.waitFor();
 * }
 * }</pre>
 *
 * <p>The steps run in the child in this order: the three standard streams, the
 * {@link #open}/{@link #dup2}/{@link #close} steps in the order they were added, the change of
 * directory (so relative paths in the earlier steps are this process's, as ProcessBuilder's
 * redirect files are), then every other descriptor of this JVM is closed, so the child inherits
 * exactly what the steps set up. Signal dispositions are reset to their defaults and the signal
 * mask emptied. A failing step or exec fails {@link #start} with a {@link UringException} naming
 * the command, the errno and the setup.
 *
 * <p>A Spawn is a mutable builder, not thread-safe; start it as many times as you like.
 */
public final class Spawn {
    private static final Charset NATIVE = nativeCharset();
    private static final int DEFAULT_MODE = 0666;
    /** The errno in the JDK's "Cannot run program ...: error=2, ..." or "...: Exec failed, error: 2 (...)". */
    private static final Pattern JDK_ERRNO = Pattern.compile("error(?:=|: )(\\d+)");
    /**
     * Signals 1..64 but SIGKILL and SIGSTOP (which cannot be reset). glibc's internal 32 and 33 are
     * in: left out, posix_spawn sets them to SIG_IGN in the child, and an ignored signal stays
     * ignored across the exec.
     */
    private static final long SIGDEF_MASK = ~((1L << 8) | (1L << 18));

    private final List<String> command;
    private Path directory;
    private Map<String, String> environment;
    private final Redirect[] stdio = {Redirect.INHERIT, Redirect.INHERIT, Redirect.INHERIT};
    private boolean errorToOutput;
    private boolean newSession;
    private final List<Step> steps = new ArrayList<>();

    private Spawn(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("an empty command");
        }
        for (String s : command) {
            requireNoNul(Objects.requireNonNull(s, "command argument"));
        }
        this.command = List.copyOf(command);
    }

    /** The program and its arguments; a program without a slash is looked up in $PATH. */
    public static Spawn command(String... command) {
        return new Spawn(List.of(command));
    }

    public static Spawn command(List<String> command) {
        return new Spawn(command);
    }

    /** The program and its arguments. */
    public List<String> commandLine() {
        return command;
    }

    /** The child's working directory (by default this process's). Needs glibc 2.29+. */
    public Spawn directory(Path dir) {
        requireNoNul(Redirect.local(dir).toString());
        if (!PosixSpawn.hasChdir()) {
            throw new UnsupportedOperationException("this C library has no posix_spawn_file_actions_addchdir_np (glibc < 2.29)");
        }
        this.directory = dir;
        return this;
    }

    /**
     * The child's environment, as a mutable map that starts as a copy of this process's (as
     * {@link ProcessBuilder#environment()}). Untouched, the child gets this process's own.
     */
    public Map<String, String> environment() {
        if (environment == null) {
            environment = new HashMap<>(System.getenv());
        }
        return environment;
    }

    /** Where stdin comes from: PIPE, INHERIT, DISCARD or {@link Redirect#from}. */
    public Spawn stdin(Redirect r) {
        if (Objects.requireNonNull(r, "redirect").kind == Redirect.Kind.WRITE || r.kind == Redirect.Kind.APPEND) {
            throw new IllegalArgumentException("stdin cannot be redirected to a file: " + r);
        }
        stdio[0] = r;
        return this;
    }

    /** Where stdout goes: PIPE, INHERIT, DISCARD, {@link Redirect#to} or {@link Redirect#appendTo}. */
    public Spawn stdout(Redirect r) {
        stdio[1] = output(r, "stdout");
        return this;
    }

    /** Where stderr goes: PIPE, INHERIT, DISCARD, {@link Redirect#to} or {@link Redirect#appendTo}. */
    public Spawn stderr(Redirect r) {
        stdio[2] = output(r, "stderr");
        return this;
    }

    private static Redirect output(Redirect r, String stream) {
        if (Objects.requireNonNull(r, "redirect").kind == Redirect.Kind.READ) {
            throw new IllegalArgumentException(stream + " cannot be read from a file: " + r);
        }
        return r;
    }

    /** stderr goes wherever stdout goes (2>&1); the stderr redirect is then ignored. */
    public Spawn redirectErrorStream(boolean merge) {
        this.errorToOutput = merge;
        return this;
    }

    /** The child starts a new session (setsid): no controlling terminal, its own process group. */
    public Spawn newSession() {
        this.newSession = true;
        return this;
    }

    /**
     * A step: open {@code path} as descriptor {@code fd} in the child, with READ, WRITE, APPEND,
     * CREATE, CREATE_NEW and TRUNCATE_EXISTING (a created file gets 0666 less the umask).
     */
    public Spawn open(int fd, Path path, OpenOption... options) {
        requireFd(fd);
        requireNoNul(Redirect.local(path).toString());
        steps.add(new Open(fd, path, openFlags(options)));
        return this;
    }

    /** A step: the child's {@code to} becomes a copy of {@code from} (this process's descriptor, or one an earlier step set up). */
    public Spawn dup2(int from, int to) {
        requireFd(from);
        requireFd(to);
        steps.add(new Dup2(from, to));
        return this;
    }

    /** A step: close the child's {@code fd}. */
    public Spawn close(int fd) {
        requireFd(fd);
        steps.add(new Close(fd));
        return this;
    }

    /** Starts the command, watched by one of {@code runtime}'s loops. */
    public Child start(UringRuntime runtime) throws IOException {
        return start(runtime.nextLoop());
    }

    /**
     * Starts the command ({@code posix_spawnp(3)}: the steps and the exec in a vfork-style child),
     * then watches it on {@code loop}.
     *
     * @throws UringException naming the command and errno if a step or the exec fails (ENOENT: no such program)
     */
    public Child start(EventLoop loop) throws IOException {
        if (loop.isClosed()) {
            throw new RuntimeClosedException("start " + command.get(0) + ": " + loop.name() + " is closed");
        }
        int[] ours = {-1, -1, -1};
        int[] theirs = {-1, -1, -1};
        int pid;
        try (Arena a = Arena.ofConfined()) {
            try {
                MemorySegment fds = a.allocate(JAVA_INT, 2);
                for (int i = 0; i < 3; i++) {
                    if (stdio[i] == Redirect.PIPE && !(i == 2 && errorToOutput)) {
                        Syscalls.check(Syscalls.pipe2(fds, Uapi.O_CLOEXEC), "pipe2", UringException.NO_FD);
                        int read = fds.getAtIndex(JAVA_INT, 0);
                        int write = fds.getAtIndex(JAVA_INT, 1);
                        ours[i] = i == 0 ? write : read;
                        theirs[i] = i == 0 ? read : write;
                    }
                }
                pid = spawn(a, theirs);
            } catch (IOException | RuntimeException e) {
                closeAll(ours);
                throw e;
            } finally {
                closeAll(theirs); // the child has its copies
            }
        }
        int pidfd = Syscalls.pidfdOpen(pid, 0);
        if (pidfd < 0) {
            // No pidfd (EMFILE, or a kernel before 5.3): nothing could watch, signal or reap the
            // child, which would run on unseen and stay a zombie. start() fails, so the child
            // must not run on: killed (by pid, safe while it is our unreaped child) and reaped.
            closeAll(ours);
            killAndReap(pid);
            throw new UringException("pidfd_open", -pidfd, UringException.NO_FD, command.get(0),
                    "pid " + pid + " was killed and reaped" + (-pidfd == Errno.ENOSYS.number() ? " (needs Linux 5.3+)" : ""));
        }
        String name = command.get(0) + " (pid " + pid + ")";
        Child child = new Child(pid, command.get(0), Backend.IO_URING,
                ours[0] >= 0 ? new ChildInput(new RingPipe(loop, "stdin of " + name, ours[0])) : null,
                ours[1] >= 0 ? new ChildOutput(new RingPipe(loop, "stdout of " + name, ours[1])) : null,
                ours[2] >= 0 ? new ChildOutput(new RingPipe(loop, "stderr of " + name, ours[2])) : null);
        RingWatch watch = new RingWatch(pid, pidfd, command.get(0));
        child.control(watch);
        watch.watch(loop, child.exit);
        return child;
    }

    /** SIGKILL to {@code pid}, a child of ours not yet reaped, then waitid(2) for its exit (retried on EINTR). */
    private static void killAndReap(int pid) {
        Syscalls.kill(pid, 9);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(Layouts.SIGINFO);
            while (Syscalls.waitid(Uapi.P_PID, pid, info, Uapi.WEXITED) == -Errno.EINTR.number()) {
                // a signal interrupted the wait: wait on
            }
        }
    }

    /**
     * Starts the command on the backend {@link org.uring4j.fs.UringFiles#open()} would pick: io_uring, watched by
     * a loop of a runtime shared by these starts (started on first use, on a daemon thread), or
     * the portable backend ({@link ProcessBuilder}) where io_uring is unavailable or
     * {@link Backend#PROPERTY} asks for it. The portable backend runs no {@link #open},
     * {@link #dup2} or {@link #close} step and no {@link #newSession()} (UnsupportedOperationException),
     * and reports a death by signal as the exit value 128 + signal, as {@link Process#exitValue()} does.
     */
    public Child start() throws IOException {
        Backend forced = Backend.forced().orElse(null);
        if (forced != Backend.PORTABLE) {
            try {
                return start(SharedRuntime.get());
            } catch (UringUnavailableException e) {
                if (forced == Backend.IO_URING) {
                    throw e;
                }
            }
        }
        return startPortable();
    }

    /** The runtime behind {@link #start()}; its failure to start is kept, not retried. */
    private static final class SharedRuntime {
        private static UringRuntime runtime;
        private static UringUnavailableException unavailable;

        static synchronized UringRuntime get() throws UringException {
            if (unavailable != null) {
                throw unavailable;
            }
            if (runtime == null) {
                try {
                    runtime = UringRuntime.open(1, new LoopOptions());
                } catch (UringUnavailableException e) {
                    unavailable = e;
                    throw e;
                }
            }
            return runtime;
        }
    }

    /** {@link ProcessBuilder} with what of this Spawn it can express. */
    private Child startPortable() throws IOException {
        if (!steps.isEmpty() || newSession) {
            throw new UnsupportedOperationException((newSession ? "newSession()" : "the steps " + steps) + " of " + command
                    + " need the io_uring backend's posix_spawn; the portable backend (ProcessBuilder) has none");
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        if (environment != null) {
            List<String> entries = environmentEntries();
            pb.environment().clear();
            for (String e : entries) {
                int eq = e.indexOf('=');
                pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        pb.redirectInput(jdkRedirect(stdio[0], true)).redirectOutput(jdkRedirect(stdio[1], false))
                .redirectError(jdkRedirect(stdio[2], false)).redirectErrorStream(errorToOutput);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Matcher m = JDK_ERRNO.matcher(String.valueOf(e.getMessage()));
            if (!m.find()) {
                throw e;
            }
            UringException u = new UringException("ProcessBuilder.start", Integer.parseInt(m.group(1)), UringException.NO_FD,
                    command.get(0), "cannot run " + command + setupDescription());
            u.initCause(e);
            throw u;
        }
        String name = command.get(0) + " (pid " + p.pid() + ")";
        Child child = new Child((int) p.pid(), command.get(0), Backend.PORTABLE,
                stdio[0] == Redirect.PIPE ? new ChildInput(StreamPipe.writing("stdin of " + name, p.getOutputStream())) : null,
                stdio[1] == Redirect.PIPE ? new ChildOutput(StreamPipe.reading("stdout of " + name, p.getInputStream())) : null,
                stdio[2] == Redirect.PIPE && !errorToOutput
                        ? new ChildOutput(StreamPipe.reading("stderr of " + name, p.getErrorStream())) : null);
        child.control(new ProcessControl(p, command.get(0), child.exit));
        return child;
    }

    private static ProcessBuilder.Redirect jdkRedirect(Redirect r, boolean input) {
        return switch (r.kind) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case INHERIT -> ProcessBuilder.Redirect.INHERIT;
            case DISCARD -> input ? ProcessBuilder.Redirect.from(new java.io.File(
                    System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null"))
                    : ProcessBuilder.Redirect.DISCARD;
            case READ -> ProcessBuilder.Redirect.from(r.file.toFile());
            case WRITE -> ProcessBuilder.Redirect.to(r.file.toFile());
            case APPEND -> ProcessBuilder.Redirect.appendTo(r.file.toFile());
        };
    }

    /** posix_spawn with the file actions and attributes this Spawn describes; the pid. */
    private int spawn(Arena a, int[] pipeEnds) throws UringException {
        MemorySegment fa = a.allocate(PosixSpawn.FILE_ACTIONS_SIZE, 16);
        MemorySegment attr = a.allocate(PosixSpawn.ATTR_SIZE, 16);
        check(PosixSpawn.fileActionsInit(fa), "posix_spawn_file_actions_init");
        try {
            check(PosixSpawn.attrInit(attr), "posix_spawnattr_init");
            try {
                int highest = 2;
                for (int i = 0; i < 3; i++) {
                    addRedirect(a, fa, i, pipeEnds[i]);
                }
                Set<Integer> setUp = new HashSet<>(List.of(0, 1, 2));
                for (Step s : steps) {
                    int fd = s.apply(a, fa);
                    highest = Math.max(highest, fd);
                    if (s instanceof Close c) {
                        setUp.remove(c.fd());
                    } else {
                        setUp.add(fd);
                    }
                }
                // closefrom covers what lies above the highest descriptor set up; below it, close
                // each one of this process's that no step set up (glibc ignores EBADF for a close
                // action, so one closed meanwhile by another thread is harmless).
                if (highest > 2) {
                    for (int fd : openDescriptors()) {
                        if (fd > 2 && fd <= highest && !setUp.contains(fd)) {
                            check(PosixSpawn.addClose(fa, fd), "posix_spawn_file_actions_addclose");
                        }
                    }
                }
                if (directory != null) {
                    check(PosixSpawn.addChdir(fa, cString(a, directory.toString())), "posix_spawn_file_actions_addchdir_np");
                }
                if (PosixSpawn.hasClosefrom()) {
                    check(PosixSpawn.addClosefrom(fa, highest + 1), "posix_spawn_file_actions_addclosefrom_np");
                }
                MemorySegment none = a.allocate(PosixSpawn.SIGSET_SIZE, 8);
                MemorySegment all = a.allocate(PosixSpawn.SIGSET_SIZE, 8);
                all.set(JAVA_LONG, 0, SIGDEF_MASK);
                check(PosixSpawn.attrSetSigmask(attr, none), "posix_spawnattr_setsigmask");
                check(PosixSpawn.attrSetSigdefault(attr, all), "posix_spawnattr_setsigdefault");
                short flags = (short) (PosixSpawn.POSIX_SPAWN_SETSIGMASK | PosixSpawn.POSIX_SPAWN_SETSIGDEF
                        | (newSession ? PosixSpawn.POSIX_SPAWN_SETSID : 0));
                check(PosixSpawn.attrSetFlags(attr, flags), "posix_spawnattr_setflags");

                String program = command.get(0);
                MemorySegment pid = a.allocate(JAVA_INT);
                MemorySegment env = environment == null ? PosixSpawn.environ() : environmentBlock(a);
                int err = PosixSpawn.spawn(program.indexOf('/') < 0, pid, cString(a, program), fa, attr,
                        stringArray(a, command), env);
                if (err == Errno.ENOEXEC.number()) {
                    // An executable without #! or an ELF header: execvp(3) and ProcessBuilder run it
                    // with /bin/sh (glibc's posix_spawnp no longer does), so do the same.
                    List<String> shell = shellCommand(command);
                    if (shell != null) {
                        err = PosixSpawn.spawn(false, pid, cString(a, shell.get(0)), fa, attr, stringArray(a, shell), env);
                    }
                }
                if (err != 0) {
                    throw new UringException(program.indexOf('/') < 0 ? "posix_spawnp" : "posix_spawn", err,
                            UringException.NO_FD, program, "cannot run " + command + setupDescription());
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                PosixSpawn.attrDestroy(attr);
            }
        } finally {
            PosixSpawn.fileActionsDestroy(fa);
        }
    }

    /**
     * {@code /bin/sh FILE ARGS...} for a command whose file the kernel would not run (ENOEXEC), as
     * execvp(3) builds it: FILE is the program as found in $PATH (the parent's, as posix_spawnp
     * searches it); null if it cannot be found.
     */
    static List<String> shellCommand(List<String> command) {
        String program = command.get(0);
        String file = program;
        if (program.indexOf('/') < 0) {
            file = null;
            String path = System.getenv("PATH");
            for (String dir : (path != null ? path : "/bin:/usr/bin").split(":", -1)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    file = candidate.toString();
                    break;
                }
            }
            if (file == null) {
                return null;
            }
        }
        List<String> shell = new ArrayList<>(command.size() + 1);
        shell.add("/bin/sh");
        shell.add(file);
        shell.addAll(command.subList(1, command.size()));
        return shell;
    }

    private void addRedirect(Arena a, MemorySegment fa, int stream, int pipeEnd) throws UringException {
        if (stream == 2 && errorToOutput) {
            check(PosixSpawn.addDup2(fa, 1, 2), "posix_spawn_file_actions_adddup2");
            return;
        }
        Redirect r = stdio[stream];
        int flags = switch (r.kind) {
            case PIPE -> {
                check(PosixSpawn.addDup2(fa, pipeEnd, stream), "posix_spawn_file_actions_adddup2");
                yield -1;
            }
            case INHERIT -> -1;
            case DISCARD -> stream == 0 ? Uapi.O_RDONLY : Uapi.O_WRONLY;
            case READ -> Uapi.O_RDONLY;
            case WRITE -> Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_TRUNC;
            case APPEND -> Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_APPEND;
        };
        if (flags >= 0) {
            String path = r.kind == Redirect.Kind.DISCARD ? "/dev/null" : r.file.toString();
            check(PosixSpawn.addOpen(fa, stream, cString(a, path), flags, DEFAULT_MODE), "posix_spawn_file_actions_addopen");
        }
    }

    /**
     * The setup steps, for an error: posix_spawn reports the errno of whichever step or exec
     * failed, not which one, so the message names every file, descriptor and directory involved.
     */
    private String setupDescription() {
        List<String> parts = new ArrayList<>();
        String[] names = {"stdin", "stdout", "stderr"};
        for (int i = 0; i < 3; i++) {
            if (i == 2 && errorToOutput) {
                parts.add("stderr to stdout");
            } else if (stdio[i].file != null) {
                parts.add(names[i] + (stdio[i].kind == Redirect.Kind.READ ? " from " : stdio[i].kind == Redirect.Kind.APPEND
                        ? " appended to " : " to ") + stdio[i].file);
            }
        }
        for (Step s : steps) {
            parts.add(switch (s) {
                case Open o -> "open " + o.path() + " as fd " + o.fd();
                case Dup2 d -> "dup2 fd " + d.from() + " to fd " + d.to();
                case Close c -> "close fd " + c.fd();
            });
        }
        if (directory != null) {
            parts.add("directory " + directory);
        }
        return parts.isEmpty() ? "" : " (after: " + String.join(", ", parts) + ")";
    }

    /** This process's open descriptors, from /proc/self/fd. */
    private static List<Integer> openDescriptors() throws UringException {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : d) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            throw new UringException("opendir", Errno.EIO.number(), UringException.NO_FD, "/proc/self/fd", e.toString());
        }
        return fds;
    }

    private MemorySegment environmentBlock(Arena a) {
        return stringArray(a, environmentEntries());
    }

    /** The environment as NAME=value entries, each checked as ProcessBuilder checks them. */
    private List<String> environmentEntries() {
        List<String> entries = new ArrayList<>(environment.size());
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "an environment variable with a null name");
            String value = Objects.requireNonNull(e.getValue(), () -> "environment variable " + name + " is null");
            if (name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("invalid environment variable name: \"" + name + "\"");
            }
            String entry = name + "=" + value;
            requireNoNul(entry);
            entries.add(entry);
        }
        return entries;
    }

    /** A NULL-terminated {@code char *[]}. */
    private static MemorySegment stringArray(Arena a, List<String> strings) {
        MemorySegment array = a.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, cString(a, strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static MemorySegment cString(Arena a, String s) {
        return a.allocateFrom(s, NATIVE);
    }

    private static void check(int err, String call) throws UringException {
        if (err != 0) {
            throw new UringException(call, err, UringException.NO_FD, null);
        }
    }

    private static void closeAll(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) {
                Syscalls.close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    private static void requireNoNul(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL character in " + s.replace('\0', '?'));
        }
    }

    private static void requireFd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("negative file descriptor: " + fd);
        }
    }

    private static int openFlags(OpenOption... options) {
        boolean read = false;
        boolean write = false;
        int flags = 0; // no O_CLOEXEC: the descriptor is for the program the child execs
        for (OpenOption o : options) {
            if (o == StandardOpenOption.READ) {
                read = true;
            } else if (o == StandardOpenOption.WRITE) {
                write = true;
            } else if (o == StandardOpenOption.APPEND) {
                write = true;
                flags |= Uapi.O_APPEND;
            } else if (o == StandardOpenOption.CREATE) {
                flags |= Uapi.O_CREAT;
            } else if (o == StandardOpenOption.CREATE_NEW) {
                flags |= Uapi.O_CREAT | Uapi.O_EXCL;
            } else if (o == StandardOpenOption.TRUNCATE_EXISTING) {
                flags |= Uapi.O_TRUNC;
            } else {
                throw new UnsupportedOperationException("open step: unsupported option " + o);
            }
        }
        return flags | (write ? (read ? Uapi.O_RDWR : Uapi.O_WRONLY) : Uapi.O_RDONLY);
    }

    private static Charset nativeCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    @Override
    public String toString() {
        return "Spawn" + command;
    }

    /** One setup step; applying it returns the child descriptor it sets up (or -1). */
    private sealed interface Step permits Open, Dup2, Close {
        int apply(Arena a, MemorySegment fa) throws UringException;
    }

    private record Open(int fd, Path path, int flags) implements Step {
        @Override
        public int apply(Arena a, MemorySegment fa) throws UringException {
            check(PosixSpawn.addOpen(fa, fd, cString(a, path.toString()), flags, DEFAULT_MODE),
                    "posix_spawn_file_actions_addopen");
            return fd;
        }
    }

    private record Dup2(int from, int to) implements Step {
        @Override
        public int apply(Arena a, MemorySegment fa) throws UringException {
            check(PosixSpawn.addDup2(fa, from, to), "posix_spawn_file_actions_adddup2");
            return to;
        }
    }

    private record Close(int fd) implements Step {
        @Override
        public int apply(Arena a, MemorySegment fa) throws UringException {
            check(PosixSpawn.addClose(fa, fd), "posix_spawn_file_actions_addclose");
            return -1;
        }
    }
}
