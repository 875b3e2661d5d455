package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Who is connected and what each holds. The in-memory one serves a single server; a shared one
 * (Redis) will let several signaling servers see each other's peers.
 */
public interface PeerDirectory {
    void add(PeerRecord peer);

    /** Forgets the peer and everything it held; returns how many holdings it had. */
    int remove(String peerId);

    Optional<PeerRecord> find(String peerId);

    /** Records holdings; returns how many were new. */
    int addHoldings(String peerId, Collection<ResourceId> ids);

    /** Forgets holdings; returns how many the peer had. */
    int removeHoldings(String peerId, Collection<ResourceId> ids);

    /** How many resources {@code peerId} holds. */
    int holdingCount(String peerId);

    /** Every live holder of {@code id}, in no particular order. */
    List<PeerRecord> holders(ResourceId id);

    /**
     * At most {@code limit} holders of {@code id}, a uniform random sample when there are more:
     * what a match considers, so that its cost does not grow with a resource's popularity.
     */
    List<PeerRecord> holders(ResourceId id, int limit);

    int size();

    /** Holdings of all peers together. */
    int totalHoldings();
}
