package io.swarmkeeper.monitor;

/**
 * Bytes counted per second over the last {@code seconds} seconds, in a fixed ring: adding is
 * O(1) and allocates nothing; a second that the ring has moved past is forgotten. Not
 * thread-safe (the monitor guards it).
 */
final class RateRing {
    private final long[] bytes;
    /** The epoch second each slot holds; a slot holding an older second counts as empty. */
    private final long[] second;

    RateRing(int seconds) {
        if (seconds < 2) {
            throw new IllegalArgumentException("a rate ring needs at least 2 seconds, got " + seconds);
        }
        bytes = new long[seconds];
        second = new long[seconds];
        java.util.Arrays.fill(second, Long.MIN_VALUE);
    }

    int seconds() {
        return bytes.length;
    }

    /** Counts {@code n} bytes in the epoch second {@code at}. */
    void add(long at, long n) {
        int slot = slot(at);
        if (second[slot] != at) {
            if (second[slot] > at) {
                return; // older than the ring reaches
            }
            second[slot] = at;
            bytes[slot] = 0;
        }
        bytes[slot] += n;
    }

    /** Bytes counted in the epoch second {@code at} (0 when none, or when it is out of reach). */
    long at(long at) {
        int slot = slot(at);
        return second[slot] == at ? bytes[slot] : 0;
    }

    /** The values of the seconds up to {@code lastSecond}, oldest first, into {@code out} (as long as the ring, or shorter). */
    long[] copy(long lastSecond, long[] out) {
        int n = out.length;
        for (int i = 0; i < n; i++) {
            out[i] = at(lastSecond - (n - 1) + i);
        }
        return out;
    }

    private int slot(long at) {
        return (int) Math.floorMod(at, (long) bytes.length);
    }
}
