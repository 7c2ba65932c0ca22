package org.uring4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.uring4j.ring.Sqe;

/**
 * An Operation subclass of the caller's that throws from one of its callbacks fails itself alone:
 * a release() that threw ended the whole loop ("EIO: loop failed"), and with it every file, socket
 * and child on that loop.
 */
class MisbehavingOperationTest {

    /** A NOP whose callback {@code which} throws. */
    private static final class Faulty extends Operation<Integer> {
        private final String which;

        Faulty(String which) {
            this.which = which;
        }

        private void maybeThrow(String callback) {
            if (which.equals(callback)) {
                throw new IllegalStateException(callback + " fails");
            }
        }

        @Override
        protected String name() {
            return "NOP";
        }

        @Override
        protected int chainLength() {
            maybeThrow("chainLength");
            return which.equals("chainCompletion") ? 2 : 1;
        }

        @Override
        protected void prepareChain(Sqe[] sqes) {
            for (Sqe sqe : sqes) {
                sqe.prepNop();
            }
            if (sqes.length > 1) {
                sqes[0].link();
            }
        }

        @Override
        protected void prepare(Sqe sqe) {
            sqe.prepNop();
        }

        @Override
        protected void chainCompletion(int index, int res, int flags) {
            maybeThrow("chainCompletion");
        }

        @Override
        protected Integer complete(int res, int flags) {
            return res;
        }

        @Override
        protected void release() {
            maybeThrow("release");
        }
    }

    private static int nop(EventLoop loop) throws Exception {
        return loop.submit(new Faulty("none")).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aThrowingCallbackFailsItsOwnOpAndTheLoopGoesOn() throws Exception {
        Thread.UncaughtExceptionHandler quiet = (t, e) -> { };
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) {
            EventLoop loop = rt.loop(0);
            loop.call(r -> {
                Thread.currentThread().setUncaughtExceptionHandler(quiet); // the reported release failure
                return null;
            }).get(30, TimeUnit.SECONDS);
            assertEquals(0, loop.submit(new Faulty("release")).get(30, TimeUnit.SECONDS), "released after its completion");
            assertEquals(0, nop(loop));
            for (String which : new String[] {"chainLength", "chainCompletion"}) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> loop.submit(new Faulty(which)).get(30, TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, e.getCause(), which);
                assertEquals(0, nop(loop), "the loop after a failing " + which);
            }
        }
    }
}
