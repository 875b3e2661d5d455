package io.swarmkeeper.transfer;

import java.util.function.LongSupplier;

/**
 * A byte-rate cap shared by every transfer of one direction (a token bucket that may run into
 * debt). A caller {@link #reserve reserves} bytes and waits the time it is told before moving
 * them; so a blocking sender simply sleeps, and an asynchronous requester schedules the next
 * request. The rate can change while transfers run; 0 means no cap.
 */
public final class RateLimiter {
    /** Bytes that may go at once after a quiet spell: a quarter second's worth, at least 256 KiB. */
    private static final double BURST_SECONDS = 0.25;
    private static final long MIN_BURST = 256 * 1024;

    private final LongSupplier nanoClock;
    private final long fixedBurst;
    private long bytesPerSecond;
    private double tokens;
    private long last;

    public RateLimiter(long bytesPerSecond) {
        this(bytesPerSecond, System::nanoTime);
    }

    RateLimiter(long bytesPerSecond, LongSupplier nanoClock) {
        this(bytesPerSecond, 0, nanoClock);
    }

    /** A limiter of any unit (messages, say) that lets at most {@code burst} go at once. */
    public RateLimiter(long perSecond, long burst) {
        this(perSecond, burst, System::nanoTime);
    }

    private RateLimiter(long bytesPerSecond, long burst, LongSupplier nanoClock) {
        this.fixedBurst = burst;
        this.nanoClock = nanoClock;
        this.last = nanoClock.getAsLong();
        setRate(bytesPerSecond);
        this.tokens = burst();
    }

    public static RateLimiter unlimited() {
        return new RateLimiter(0);
    }

    /** Changes the cap, effective for the next reservation; 0 removes it. */
    public synchronized void setRate(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate must be 0 (no cap) or positive, got " + bytesPerSecond);
        }
        refill();
        this.bytesPerSecond = bytesPerSecond;
        tokens = Math.min(tokens, burst());
    }

    public synchronized long rate() {
        return bytesPerSecond;
    }

    /** Takes {@code bytes}; returns how many nanoseconds to wait before moving them (0: at once). */
    public synchronized long reserve(long bytes) {
        if (bytesPerSecond == 0) {
            return 0;
        }
        refill();
        tokens -= bytes;
        return tokens >= 0 ? 0 : (long) (-tokens * 1e9 / bytesPerSecond);
    }

    /** Reserves {@code bytes} and sleeps as long as needed. */
    public void acquire(long bytes) throws InterruptedException {
        long wait = reserve(bytes);
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        if (bytesPerSecond > 0) {
            tokens = Math.min(burst(), tokens + (now - last) * (double) bytesPerSecond / 1e9);
        }
        last = now;
    }

    private double burst() {
        return fixedBurst > 0 ? fixedBurst : Math.max(MIN_BURST, bytesPerSecond * BURST_SECONDS);
    }
}
