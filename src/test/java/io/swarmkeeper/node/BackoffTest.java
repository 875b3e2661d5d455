package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void windowsDoubleUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        assertEquals(500, backoff.ceilingMillis(0));
        assertEquals(1000, backoff.ceilingMillis(1));
        assertEquals(16_000, backoff.ceilingMillis(5));
        assertEquals(30_000, backoff.ceilingMillis(6));
        assertEquals(30_000, backoff.ceilingMillis(1000));
    }

    @Test
    void waitsAreSpreadOverTheWholeWindow() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(100));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long wait = backoff.next().toMillis();
            assertTrue(wait >= 0 && wait <= 100, "wait " + wait);
            min = Math.min(min, wait);
            max = Math.max(max, wait);
        }
        assertTrue(min < 10 && max > 90, "full jitter covers [0, cap]: min " + min + ", max " + max);
    }

    @Test
    void resetStartsOver() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(10));
        for (int i = 0; i < 10; i++) {
            backoff.next();
        }
        backoff.reset();
        assertTrue(backoff.next().toMillis() <= 10);
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
