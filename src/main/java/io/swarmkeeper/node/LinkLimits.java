package io.swarmkeeper.node;

import java.time.Duration;

/**
 * How many WebRTC links a node keeps, how fast it lets other peers start them, and how long an
 * idle one stays (docs/protocol.md, section 1, {@code signal}, and section 2, "Links").
 *
 * <p>Each link costs a thread and a native connection, and each answered offer costs an answer
 * and its candidates on the signaling connection, whose rate the server caps. Offers beyond
 * these limits are refused at once, with a reason, before any native work is done.
 *
 * @param maxLinks          links open or being set up, at most
 * @param maxPending        links being set up (an offer answered, the data channel not open yet), at most
 * @param offersPerPeer     offers one peer may make per {@code offerWindow} (a count that decays
 *                          over that window); its offers beyond that are refused
 * @param offerWindow       see {@code offersPerPeer}
 * @param newLinksPerSecond answered offers per second over all peers (bursts of {@code maxPending})
 * @param idleTimeout       an open link that nothing uses and on which no message went either way
 *                          for this long is closed; zero: closed as soon as nothing uses it
 */
public record LinkLimits(int maxLinks, int maxPending, int offersPerPeer, Duration offerWindow,
                         int newLinksPerSecond, Duration idleTimeout) {
    /** A holder closes a link idle this long: longer than a requester keeps one, so that normally the requester closes. */
    public static final Duration HOLDER_IDLE = Duration.ofSeconds(30);
    /** A requester keeps an idle link this long for its next requests to the same holder. */
    public static final Duration REQUESTER_IDLE = Duration.ofSeconds(10);

    public LinkLimits {
        if (maxLinks < 1 || maxPending < 1 || maxPending > maxLinks) {
            throw new IllegalArgumentException("need 1 <= maxPending <= maxLinks, got " + maxPending + " and " + maxLinks);
        }
        if (offersPerPeer < 1 || newLinksPerSecond < 1) {
            throw new IllegalArgumentException("offers per peer and new links per second must be at least 1");
        }
        if (offerWindow.isNegative() || offerWindow.isZero() || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("the offer window must be positive and the idle timeout not negative");
        }
    }

    /**
     * A seeder's: 128 links, 16 of them being set up, 10 offers per peer per 10 s (a requester
     * that keeps its links for reuse makes one per holder), 20 new links a second, idle links
     * closed after {@link #HOLDER_IDLE}.
     */
    public static LinkLimits holder() {
        return new LinkLimits(128, 16, 10, Duration.ofSeconds(10), 20, HOLDER_IDLE);
    }

    /** A fetcher's: it offers rather than answers; idle links kept {@link #REQUESTER_IDLE} for reuse. */
    public static LinkLimits requester() {
        return new LinkLimits(32, 8, 10, Duration.ofSeconds(10), 20, REQUESTER_IDLE);
    }

    public LinkLimits withLinks(int maxLinks, int maxPending) {
        return new LinkLimits(maxLinks, maxPending, offersPerPeer, offerWindow, newLinksPerSecond, idleTimeout);
    }

    public LinkLimits withOffersPerPeer(int offers) {
        return new LinkLimits(maxLinks, maxPending, offers, offerWindow, newLinksPerSecond, idleTimeout);
    }

    public LinkLimits withIdleTimeout(Duration idle) {
        return new LinkLimits(maxLinks, maxPending, offersPerPeer, offerWindow, newLinksPerSecond, idle);
    }
}
