package io.swarmkeeper.node;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which offers a node answers, before any native work is done for them
 * (docs/protocol.md, section 1, {@code signal}: refusals). Bookkeeping only, no WebRTC; not
 * thread-safe: {@link PeerLinks} calls it under its lock.
 *
 * <p>Each peer has an offer count that decays over {@link LinkLimits#offerWindow()}: every offer
 * it makes adds one, answered or not, so a peer that keeps offering keeps a high count. A peer
 * over {@link LinkLimits#offersPerPeer()} is refused ({@value #TOO_MANY_OFFERS}), and so is a
 * peer whose previous offer's link is still being set up and younger than
 * {@link #MIN_PENDING_NANOS_BEFORE_REPLACED}: an honest offerer waits for its connect timeout
 * before it offers again, and replacing links costs native work. When as many
 * links are being set up as allowed, a new offer may take the place of the pending link whose
 * peer has offered most, if that peer has offered clearly more than this one: so a flood from
 * a few ids cannot hold the places an honest peer, which offers once, needs. Otherwise it is
 * refused ({@value #BUSY}), as it is when all links are taken or new links come faster than
 * {@link LinkLimits#newLinksPerSecond()}.
 *
 * <p>Refusals too take turns on the signaling connection, so each peer is told of at most
 * {@value #REFUSALS_TOLD_AT_ONCE} at once and then of one per {@link #REFUSAL_INTERVAL_NANOS}:
 * a peer that offers now and then hears of every refusal, one that floods hears of a few.
 */
final class OfferAdmission {
    /** Refusal reason: the node has as many links, or links being set up, as it takes. */
    static final String BUSY = "busy";
    /** Refusal reason: this peer has made more offers lately than the node accepts from one peer. */
    static final String TOO_MANY_OFFERS = "too-many-offers";
    /** Refusals a peer is told of at once; then one per {@link #REFUSAL_INTERVAL_NANOS}. */
    static final int REFUSALS_TOLD_AT_ONCE = 2;
    static final long REFUSAL_INTERVAL_NANOS = 5_000_000_000L;
    /** A link being set up is replaced by its peer's next offer only once it is this old. */
    static final long MIN_PENDING_NANOS_BEFORE_REPLACED = 5_000_000_000L;
    /** Peers whose counts are kept; the one that offered least recently is forgotten first. */
    static final int MAX_TRACKED_PEERS = 4096;

    /** A link the node holds, as admission sees it: being set up or open, made {@code ageNanos} ago. */
    record Held(String peer, boolean pending, long ageNanos) {}

    /** What to do with an offer. */
    sealed interface Decision {}

    /** Answer it; first close the pending link to {@code evict}, when not null, to make room. */
    record Answer(String evict) implements Decision {}

    /** Refuse it with {@code reason}; {@code tell}: send the refusal to the offerer. */
    record Refuse(String reason, boolean tell) implements Decision {}

    private static final class Count {
        double value;
        long at;
        /** Refusals this peer may still be told of (a token bucket), as of {@link #toldAt}. */
        double toTell = REFUSALS_TOLD_AT_ONCE;
        long toldAt;
    }

    private final LinkLimits limits;
    private final double windowNanos;
    private final Map<String, Count> counts = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Count> eldest) {
            return size() > MAX_TRACKED_PEERS;
        }
    };
    /** New links: a token bucket of {@link LinkLimits#newLinksPerSecond()}, {@link LinkLimits#maxPending()} deep. */
    private double tokens;
    private long tokensAt;

    OfferAdmission(LinkLimits limits, long now) {
        this.limits = limits;
        this.windowNanos = limits.offerWindow().toNanos();
        this.tokens = limits.maxPending();
        this.tokensAt = now;
    }

    LinkLimits limits() {
        return limits;
    }

    /**
     * An offer from {@code peer} arrived at {@code now}. {@code held}: every link the node holds
     * (open or being set up); if one is the peer's own, this offer replaces it (a new connection)
     * and adds no link.
     */
    Decision offer(String peer, List<Held> held, long now) {
        double count = add(peer, now);
        if (count > limits.offersPerPeer()) {
            return refuse(peer, TOO_MANY_OFFERS, now);
        }
        Held own = held.stream().filter(h -> h.peer().equals(peer)).findFirst().orElse(null);
        if (own != null && own.pending() && own.ageNanos() < MIN_PENDING_NANOS_BEFORE_REPLACED) {
            return refuse(peer, TOO_MANY_OFFERS, now);
        }
        String evict = null;
        if (own == null) {
            if (held.size() >= limits.maxLinks()) {
                return refuse(peer, BUSY, now);
            }
            long pending = held.stream().filter(Held::pending).count();
            if (pending >= limits.maxPending()) {
                Held victim = null;
                double most = 0;
                for (Held h : held) {
                    double c = h.pending() ? countOf(h.peer(), now) : 0;
                    if (h.pending() && c > most) {
                        most = c;
                        victim = h;
                    }
                }
                // Clearly more: peers that offer alike do not push each other out in turn.
                if (victim == null || most <= count + 1) {
                    return refuse(peer, BUSY, now);
                }
                evict = victim.peer();
            }
        }
        if (!takeToken(now)) {
            return refuse(peer, BUSY, now);
        }
        return new Answer(evict);
    }

    /** The decayed offer count of {@code peer} at {@code now}. */
    double countOf(String peer, long now) {
        Count c = counts.get(peer);
        return c == null ? 0 : decayed(c, now);
    }

    /** Forgets counts that have decayed to nothing. */
    void prune(long now) {
        counts.values().removeIf(c -> decayed(c, now) < 0.01
                && now - c.toldAt > REFUSALS_TOLD_AT_ONCE * REFUSAL_INTERVAL_NANOS);
    }

    int trackedPeers() {
        return counts.size();
    }

    private double add(String peer, long now) {
        Count c = counts.computeIfAbsent(peer, p -> {
            Count fresh = new Count();
            fresh.toldAt = now;
            return fresh;
        });
        c.value = decayed(c, now) + 1;
        c.at = now;
        return c.value;
    }

    private double decayed(Count c, long now) {
        return c.value * Math.exp(-(double) Math.max(0, now - c.at) / windowNanos);
    }

    private Refuse refuse(String peer, String reason, long now) {
        Count c = counts.get(peer);
        c.toTell = Math.min(REFUSALS_TOLD_AT_ONCE, c.toTell + (double) (now - c.toldAt) / REFUSAL_INTERVAL_NANOS);
        c.toldAt = now;
        boolean tell = c.toTell >= 1;
        if (tell) {
            c.toTell -= 1;
        }
        return new Refuse(reason, tell);
    }

    private boolean takeToken(long now) {
        tokens = Math.min(limits.maxPending(), tokens + (now - tokensAt) * limits.newLinksPerSecond() / 1e9);
        tokensAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
