package io.swarmkeeper.node;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with full jitter: attempt n waits a random time in
 * [0, min(cap, base·2ⁿ)). Spreading retries over the whole window is what keeps a crowd of
 * clients that lost the server at the same moment from coming back at the same moment.
 */
public final class Backoff {
    private final Duration base;
    private final Duration cap;
    private int attempt;

    public Backoff(Duration base, Duration cap) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= cap, got base " + base + ", cap " + cap);
        }
        this.base = base;
        this.cap = cap;
    }

    /** The wait before the next attempt; each call widens the window until it reaches the cap. */
    public synchronized Duration next() {
        long ceiling = ceilingMillis(attempt);
        if (attempt < 62) {
            attempt++;
        }
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    /** The widest wait of attempt {@code n}. */
    long ceilingMillis(int n) {
        long capMillis = cap.toMillis();
        long baseMillis = base.toMillis();
        if (n >= 62 || baseMillis > (capMillis >> Math.min(n, 62))) {
            return capMillis;
        }
        return Math.min(capMillis, baseMillis << n);
    }

    /** Starts over after a success. */
    public synchronized void reset() {
        attempt = 0;
    }
}
