package org.uring4j.process;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.uring4j.fs.Backend;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/** Base of the process test classes: one two-loop runtime per class, which the children are watched on. */
abstract class SharedRuntimeTest {
    static UringRuntime rt;

    @BeforeAll
    static void openRuntime() throws Exception {
        rt = UringRuntime.open(2, new LoopOptions());
    }

    @AfterAll
    static void closeRuntime() throws Exception {
        rt.close();
    }

    /** Starts {@code spawn} on {@code backend}: on the shared runtime, or with the portable backend forced. */
    static Child start(Spawn spawn, Backend backend) throws Exception {
        if (backend == Backend.IO_URING) {
            return spawn.start(rt);
        }
        String old = System.getProperty(Backend.PROPERTY);
        System.setProperty(Backend.PROPERTY, "portable");
        try {
            return spawn.start();
        } finally {
            if (old == null) {
                System.clearProperty(Backend.PROPERTY);
            } else {
                System.setProperty(Backend.PROPERTY, old);
            }
        }
    }
}
