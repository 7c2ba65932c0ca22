package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class HostFactsTest {

    @Test
    void readsMemlockFromProcLimits() {
        List<String> limits = List.of(
                "Limit                     Soft Limit           Hard Limit           Units     ",
                "Max locked memory         8388608              unlimited            bytes     ");
        assertEquals(new HostFacts.Limit(8388608, HostFacts.Limit.UNLIMITED), HostFacts.memlock(limits));
        assertNull(HostFacts.memlock(List.of()));
    }

    @Test
    void readsStatusFields() {
        List<String> status = List.of("Name:\tjava", "Seccomp:\t2", "Seccomp_filters:\t1");
        assertEquals("2", HostFacts.field(status, "Seccomp:"));
        assertEquals("1", HostFacts.field(status, "Seccomp_filters:"));
        assertNull(HostFacts.field(status, "NoSuch:"));
    }

    @Test
    void thisMachineHasProcfs() {
        HostFacts host = HostFacts.read();
        assertNotNull(host.kernel());
        assertNotNull(host.seccomp());
        assertNotNull(host.memlock());
    }
}
