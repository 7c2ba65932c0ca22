package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.UringUnavailableException;

/**
 * io_uring blocked by a seccomp filter (as in a Docker container) is reported as exactly that:
 * a child JVM runs under a filter that fails io_uring_setup with EPERM or ENOSYS.
 */
class UnavailableTest {

    /** Run in the child JVM: prints how opening a ring failed. */
    public static void main(String[] args) {
        try (Ring ring = Ring.open(4)) {
            System.out.println("AVAILABLE");
        } catch (UringUnavailableException e) {
            System.out.println(e.reason() + " " + e.errnoName() + " " + e.getMessage());
        } catch (Exception e) {
            System.out.println("OTHER " + e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1 /* EPERM */, 38 /* ENOSYS */})
    void seccompBlockedSetupIsReportedAsSuch(int errno, @TempDir Path dir) throws Exception {
        Path wrapper = SeccompWrapper.compile(dir);
        SeccompWrapper.Result r = SeccompWrapper.runJava(wrapper, errno, UnavailableTest.class, List.of());
        String out = r.output();
        assertEquals(0, r.exit(), out);
        String expectedErrno = errno == 1 ? "EPERM" : "ENOSYS";
        assertTrue(out.startsWith("BLOCKED_BY_SECCOMP " + expectedErrno), out);
        assertTrue(out.contains("seccomp"), out);
    }
}
