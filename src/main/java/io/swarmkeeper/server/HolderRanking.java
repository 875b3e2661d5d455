package io.swarmkeeper.server;

import java.util.List;

/**
 * Orders the holders of a resource for one asker, best first, and says why each was chosen:
 * {@link ShuffledRanking} (random) or {@link ProximityRanking} (same network, same city,
 * distance). The server does not care which.
 */
@FunctionalInterface
public interface HolderRanking {
    /** At most {@code count} of {@code holders} (never the asker itself), best first. */
    List<Ranked> rank(PeerRecord asker, List<PeerRecord> holders, int count);

    /**
     * A chosen holder and, for people, why: it travels to both peers in {@code match} and
     * {@code signal}. {@code band}: holders of one band are near-equals for the policy (same
     * tier, distance within the tie margin), so {@link HolderChoice} may reorder them by their
     * serving record; bands never overtake one another. Non-decreasing along a ranking.
     */
    record Ranked(PeerRecord peer, String reason, int band) {
        public Ranked(PeerRecord peer, String reason) {
            this(peer, reason, 0);
        }
    }
}
