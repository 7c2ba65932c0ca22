package org.uring4j.process;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
}
