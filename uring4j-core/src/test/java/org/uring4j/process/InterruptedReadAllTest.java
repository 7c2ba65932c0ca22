package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;
import static org.uring4j.process.ProcTestSupport.get;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.uring4j.fs.Backend;

/**
 * Interrupting a thread in ChildOutput.readAllBytes loses nothing: it waits through the interrupt,
 * as the JDK's Process streams do. On io_uring it threw at once while its chain of reads went on
 * unseen, so what the child had written before the interrupt never reached the caller.
 */
class InterruptedReadAllTest extends SharedRuntimeTest {

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anInterruptedReadAllBytesStillReturnsEverything(Backend backend) throws Exception {
        try (Child cat = start(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE), backend)) {
            cat.stdin().writeFully("before ".getBytes(StandardCharsets.UTF_8));
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    String all = new String(cat.stdout().readAllBytes(), StandardCharsets.UTF_8);
                    outcome.complete(all + (Thread.currentThread().isInterrupted() ? " (interrupt kept)" : ""));
                } catch (Throwable t) {
                    outcome.complete("threw " + t);
                }
            });
            while (reader.getState() != Thread.State.WAITING && !outcome.isDone()) {
                Thread.sleep(1); // until it waits for more
            }
            reader.interrupt();
            cat.stdin().writeFully("after".getBytes(StandardCharsets.UTF_8));
            cat.stdin().close();
            assertEquals("before after (interrupt kept)", get(outcome));
            assertTrue(exit(cat).success());
        }
    }
}
