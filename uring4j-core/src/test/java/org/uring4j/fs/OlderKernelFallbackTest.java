package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.UringException;
import org.uring4j.ring.Probe;

/**
 * AsyncFile on a kernel without FTRUNCATE (6.9) and FIXED_FD_INSTALL (6.8), as Linux 6.1: the
 * probe is told to treat them as missing ({@link Probe#WITHOUT_PROPERTY}), so the fallbacks run
 * here as they would there. truncate falls back to ftruncate(2); a DIRECT_DESCRIPTOR file's fd(),
 * stat(), size() and truncate() fail naming the op and the release that has it.
 */
class OlderKernelFallbackTest {
    @AfterEach
    void clear() {
        System.clearProperty(Probe.WITHOUT_PROPERTY);
    }

    @Test
    void truncateFallsBackToFtruncateWithoutTheOp(@TempDir Path dir) throws Exception {
        try (UringFiles files = UringFiles.open()) {
            FsTestSupport.assumeIoUring(files, "the FTRUNCATE fallback is the io_uring backend's");
            System.setProperty(Probe.WITHOUT_PROPERTY, "FTRUNCATE");
            Path p = dir.resolve("f");
            try (AsyncFile f = files.open(p, CREATE_NEW, READ, WRITE)) {
                f.write(new byte[8192], 0, 8192, 0);
                f.truncate(100);
                assertEquals(100, Files.size(p));
                f.truncate(5000);
                assertEquals(5000, f.size());
            }
        }
    }

    @Test
    void aDirectDescriptorFileWithoutFixedFdInstallSaysWhy(@TempDir Path dir) throws Exception {
        try (UringFiles files = UringFiles.open()) {
            FsTestSupport.assumeIoUring(files, "DIRECT_DESCRIPTOR is the io_uring backend's");
            System.setProperty(Probe.WITHOUT_PROPERTY, "FIXED_FD_INSTALL,FTRUNCATE");
            Path p = dir.resolve("f");
            try (AsyncFile f = files.open(p, CREATE_NEW, READ, WRITE, UringOpenOption.DIRECT_DESCRIPTOR)) {
                assertEquals(3, f.write(new byte[] {1, 2, 3}, 0, 3, 0), "reads and writes need no plain descriptor");
                for (var call : java.util.List.<org.junit.jupiter.api.function.Executable>of(f::fd, f::stat, f::size,
                        () -> f.truncate(1))) {
                    UringException e = assertThrows(UringException.class, call);
                    assertEquals("FIXED_FD_INSTALL", e.operation());
                    assertTrue(e.getMessage().contains("IORING_OP_FIXED_FD_INSTALL (Linux 6.8+)")
                            && e.getMessage().contains("DIRECT_DESCRIPTOR"), e.getMessage());
                }
            }
            assertEquals(3, Files.size(p));
        }
    }

    @Test
    void aPathOpTheKernelLacksIsNamedWithItsRelease() {
        org.uring4j.ring.KernelAssumptions.probe();
        System.setProperty(Probe.WITHOUT_PROPERTY, "UNLINKAT");
        String m = FsErrors.forPath("UNLINKAT", -22, "/some/path", null).getMessage();
        assertTrue(m.contains("UNLINKAT /some/path: EINVAL") && m.contains("this kernel lacks IORING_OP_UNLINKAT (Linux 5.11+)"), m);
        System.clearProperty(Probe.WITHOUT_PROPERTY);
        assertTrue(!FsErrors.forPath("UNLINKAT", -22, "/some/path", null).getMessage().contains("lacks"),
                "an EINVAL of an op the kernel has is just EINVAL");
    }
}
