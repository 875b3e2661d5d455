package io.swarmkeeper.server;

import java.util.List;

/**
 * Orders the holders of a resource for one asker, best first, and says why each was chosen. The
 * proximity policy (same ASN, same city, distance) will be one implementation; the server does
 * not care which.
 */
@FunctionalInterface
public interface HolderRanking {
    /** At most {@code count} of {@code holders} (never the asker itself), best first. */
    List<Ranked> rank(PeerRecord asker, List<PeerRecord> holders, int count);

    /** A chosen holder and, for people, why: it travels to both peers in {@code match} and {@code signal}. */
    record Ranked(PeerRecord peer, String reason) {}
}
