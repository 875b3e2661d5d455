package io.swarmkeeper.server;

import java.util.List;

/**
 * Orders the holders of a resource for one asker, best first. The proximity policy (same ASN,
 * same city, distance) will be one implementation; the server does not care which.
 */
@FunctionalInterface
public interface HolderRanking {
    List<PeerRecord> rank(PeerRecord asker, List<PeerRecord> holders, int count);
}
