package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.FileOpsSupport.assertErrno;
import static org.uring4j.ring.FileOpsSupport.assertOk;
import static org.uring4j.ring.FileOpsSupport.awaitCqe;
import static org.uring4j.ring.FileOpsSupport.submitOne;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.sys.Syscalls;

/** Registered personalities (after liburing's personality.c): ops run with the credentials registered. */
class PersonalityTest {
    /** An unprivileged id ("nobody" on most systems; only the number matters). */
    private static final int NOBODY = 65534;

    @TempDir
    Path dir;

    private static Cqe openWith(Ring ring, Arena arena, Path path, int flags, int personality, boolean async)
            throws UringException {
        Sqe sqe = ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(path.toString()), flags | Uapi.O_CLOEXEC, 0644);
        if (personality != 0) {
            sqe.personality(personality);
        }
        if (async) {
            sqe.async();
        }
        Cqe cqe = submitOne(ring);
        if (cqe.res() >= 0) {
            Syscalls.close(cqe.res());
        }
        return cqe;
    }

    @Test
    void opWithARegisteredPersonalityRuns() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            int id = ring.registerPersonality();
            assertTrue(id > 0, "ids start at 1 (0 in an SQE means none): " + id);
            assertOk(openWith(ring, arena, file, Uapi.O_RDONLY, id, false));
            assertOk(openWith(ring, arena, file, Uapi.O_RDONLY, id, true));

            // As the second request of a link, as liburing's test does.
            ring.getSqe().prepNop().link().userData(1);
            ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(file.toString()), Uapi.O_RDONLY | Uapi.O_CLOEXEC, 0)
                    .personality(id).userData(2);
            assertEquals(2, ring.submit());
            for (int i = 0; i < 2; i++) {
                Cqe cqe = awaitCqe(ring);
                assertOk(cqe);
                if (cqe.userData() == 2) {
                    Syscalls.close(cqe.res());
                }
            }
            ring.unregisterPersonality(id);
        }
    }

    @Test
    void eachRegistrationGetsItsOwnId() throws Exception {
        try (Ring ring = Ring.open(8)) {
            int a = ring.registerPersonality();
            int b = ring.registerPersonality();
            assertNotEquals(a, b);
            ring.unregisterPersonality(a);
            ring.unregisterPersonality(b);
        }
    }

    @Test
    void unknownPersonalityFailsTheOpWithEinval() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            assertErrno(Errno.EINVAL, openWith(ring, arena, file, Uapi.O_RDONLY, 2, false));
            assertErrno(Errno.EINVAL, openWith(ring, arena, file, Uapi.O_RDONLY, 0xffff, true));

            // An id stops working once unregistered.
            int id = ring.registerPersonality();
            ring.unregisterPersonality(id);
            assertErrno(Errno.EINVAL, openWith(ring, arena, file, Uapi.O_RDONLY, id, false));
        }
    }

    @Test
    void unregisteringAnUnknownPersonalityIsEinval() throws Exception {
        try (Ring ring = Ring.open(8)) {
            UringException e = assertThrows(UringException.class, () -> ring.unregisterPersonality(2));
            assertEquals("EINVAL", e.errnoName());
            int id = ring.registerPersonality();
            ring.unregisterPersonality(id);
            e = assertThrows(UringException.class, () -> ring.unregisterPersonality(id));
            assertEquals("EINVAL", e.errnoName());
        }
    }

    /**
     * liburing's test registers root's credentials, then seteuid()s the process to another user and
     * checks the personality still opens a root-only file. A test cannot change the JVM's
     * credentials (every thread would switch, mid-suite), so it goes the other way with a
     * per-thread change: a helper thread with fsuid/fsgid "nobody" registers a personality, and
     * ops on this (root) thread given that id run as nobody.
     */
    @Test
    void personalityKeepsTheCredentialsOfTheThreadThatRegisteredIt() throws Exception {
        KernelAssumptions.assumeRoot();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = Files.writeString(dir.resolve("secret"), "root only");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            int nobody = ThreadCredentials.callAs(NOBODY, ring::registerPersonality);
            int self = ring.registerPersonality(); // this thread's: root's

            assertOk(openWith(ring, arena, secret, Uapi.O_RDONLY, 0, false));
            assertOk(openWith(ring, arena, secret, Uapi.O_RDONLY, self, false));
            assertErrno(Errno.EACCES, openWith(ring, arena, secret, Uapi.O_RDONLY, nobody, false));
            assertErrno(Errno.EACCES, openWith(ring, arena, secret, Uapi.O_RDONLY, nobody, true));

            Path asNobody = shared.resolve("made-as-nobody");
            assertOk(openWith(ring, arena, asNobody, Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_EXCL, nobody, false));
            assertEquals(NOBODY, (int) Files.getAttribute(asNobody, "unix:uid"));
            assertEquals(NOBODY, (int) Files.getAttribute(asNobody, "unix:gid"));

            Path asRoot = shared.resolve("made-as-us");
            assertOk(openWith(ring, arena, asRoot, Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_EXCL, 0, true));
            assertEquals(0, (int) Files.getAttribute(asRoot, "unix:uid"));

            ring.unregisterPersonality(nobody);
            ring.unregisterPersonality(self);
        }
    }
}
