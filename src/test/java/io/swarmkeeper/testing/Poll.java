package io.swarmkeeper.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that another thread or process makes true; fails the test when it does not. */
public final class Poll {
    private Poll() {}

    /** Polls every 10 ms until {@code condition} holds; throws an AssertionError naming {@code what} after {@code limit}. */
    public static void until(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
