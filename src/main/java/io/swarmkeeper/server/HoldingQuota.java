package io.swarmkeeper.server;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many holdings each network (an IPv4 address, an IPv6 /64) and the server as a whole have
 * announced, against their limits. A {@code have} first reserves room for all its hashes, then
 * settles on the number that were new; so two peers of one network announcing at once cannot
 * overshoot the limit between them.
 */
final class HoldingQuota {
    /** Why a reservation was refused. */
    enum Refusal { NONE, ADDRESS, SERVER }

    private final int perNetwork;
    private final long total;
    private final Map<InetAddress, Integer> byNetwork = new ConcurrentHashMap<>();
    private final AtomicLong used = new AtomicLong();

    HoldingQuota(int perNetwork, long total) {
        this.perNetwork = perNetwork;
        this.total = total;
    }

    /** Reserves room for {@code n} holdings of {@code network}; NONE when granted. */
    Refusal reserve(InetAddress network, int n) {
        if (n <= 0) {
            return Refusal.NONE; // nothing to hold room for (and no entry left behind)
        }
        boolean[] granted = new boolean[1];
        byNetwork.compute(network, (k, held) -> {
            int now = held == null ? 0 : held;
            granted[0] = now + (long) n <= perNetwork;
            return granted[0] ? Integer.valueOf(now + n) : held;
        });
        if (!granted[0]) {
            return Refusal.ADDRESS;
        }
        if (used.addAndGet(n) > total) {
            used.addAndGet(-n);
            release(network, n, false);
            return Refusal.SERVER;
        }
        return Refusal.NONE;
    }

    /** Gives back {@code n} holdings of {@code network} (reserved and not used, or no longer held). */
    void release(InetAddress network, int n) {
        release(network, n, true);
    }

    private void release(InetAddress network, int n, boolean total) {
        if (n <= 0) {
            return;
        }
        byNetwork.computeIfPresent(network, (k, held) -> held - n <= 0 ? null : held - n);
        if (total) {
            used.addAndGet(-n);
        }
    }

    int ofNetwork(InetAddress network) {
        Integer n = byNetwork.get(network);
        return n == null ? 0 : n;
    }

    long used() {
        return used.get();
    }

    int perNetwork() {
        return perNetwork;
    }

    long total() {
        return total;
    }
}
