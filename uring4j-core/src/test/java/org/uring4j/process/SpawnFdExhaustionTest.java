package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.uring4j.ChildJvm;
import org.uring4j.UringException;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/**
 * Spawning with this process out of descriptors: a start that fails leaves no child running and
 * no zombie, and starts work again once descriptors are free. In a child JVM under prlimit, so the
 * exhaustion is this JVM's own.
 */
class SpawnFdExhaustionTest {

    @Test
    void aStartThatCannotOpenThePidfdLeavesNoChildBehind() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "no /usr/bin/prlimit");
        ChildJvm.Result r = ChildJvm.run(List.of("prlimit", "--nofile=256"), List.of(), OutOfDescriptors.class);
        assertEquals(0, r.exit(), r.output());
        assertEquals(List.of("start: EMFILE", "children after the failed start: []", "after freeing: exit 0"),
                r.output().lines().filter(l -> !l.startsWith("WARNING")).toList(), r.output());
    }

    /** The child JVM: exhausts its descriptors, starts `sleep 100` (no pipes: only the pidfd needs one), reports. */
    public static final class OutOfDescriptors {
        public static void main(String[] args) throws Exception {
            try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) {
                // Everything the failing path loads is loaded now: a class file cannot be opened later.
                Spawn.command("true").start(rt).waitFor();
                try {
                    Spawn.command("/nonexistent/u4j").start(rt);
                } catch (UringException expected) {
                    expected.getMessage();
                }
                List<FileChannel> hog = new ArrayList<>();
                try {
                    while (true) {
                        hog.add(FileChannel.open(Path.of("/dev/null")));
                    }
                } catch (IOException full) {
                    // EMFILE
                }
                String outcome;
                try {
                    Child c = Spawn.command("sleep", "100").start(rt);
                    outcome = "started " + c;
                } catch (UringException e) {
                    outcome = e.errnoName();
                }
                for (FileChannel ch : hog) {
                    ch.close();
                }
                System.out.println("start: " + outcome);
                System.out.println("children after the failed start: " + children());
                System.out.println("after freeing: " + Spawn.command("true").start(rt).waitFor());
            }
        }

        /** Processes whose parent is this JVM (running or zombie). */
        private static List<String> children() throws IOException {
            String self = Long.toString(ProcessHandle.current().pid());
            List<String> kids = new ArrayList<>();
            try (Stream<Path> s = Files.list(Path.of("/proc"))) {
                for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String st = Files.readString(p.resolve("stat"));
                        String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                        if (f[1].equals(self)) {
                            kids.add(st.substring(0, st.lastIndexOf(')') + 1) + " " + f[0]);
                        }
                    } catch (IOException gone) {
                        // exited meanwhile
                    }
                }
            }
            return kids;
        }
    }
}
