package io.swarmkeeper.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void letsABurstThroughThenPacesAtTheRate() {
        RateLimiter limiter = new RateLimiter(1_000_000, now::get); // burst: 256 KiB
        assertEquals(0, limiter.reserve(262_144), "the burst goes at once");
        assertEquals(500_000_000L, limiter.reserve(500_000), "half a second for 500 kB at 1 MB/s");
        assertEquals(1_000_000_000L, limiter.reserve(500_000), "and the next waits behind it");
        now.addAndGet(1_000_000_000L);
        assertEquals(0, limiter.reserve(0), "a second later the debt is paid");
    }

    @Test
    void changesRateWhileRunningAndZeroMeansNoCap() {
        RateLimiter limiter = new RateLimiter(1_000_000, now::get);
        limiter.reserve(262_144);
        limiter.setRate(2_000_000);
        assertEquals(500_000_000L, limiter.reserve(1_000_000), "the new rate applies to the next reservation");
        limiter.setRate(0);
        assertEquals(0, limiter.reserve(1L << 40));
        assertThrows(IllegalArgumentException.class, () -> limiter.setRate(-1));
    }

    @Test
    void quietTimeBuysOnlyABurstNotAnHourOfBytes() {
        RateLimiter limiter = new RateLimiter(1_000_000, now::get);
        now.addAndGet(3_600_000_000_000L);
        assertEquals(0, limiter.reserve(262_144));
        assertEquals(1_000_000_000L, limiter.reserve(1_000_000));
    }
}
