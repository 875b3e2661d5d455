package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The directory of one server process. Thread-safe: every call holds the same lock, briefly. */
public final class InMemoryPeerDirectory implements PeerDirectory {
    private final Map<String, PeerRecord> peers = new HashMap<>();
    private final Map<String, Set<ResourceId>> holdingsByPeer = new HashMap<>();
    private final Map<ResourceId, Set<String>> holdersById = new HashMap<>();
    private int totalHoldings;

    @Override
    public synchronized void add(PeerRecord peer) {
        peers.put(peer.id(), peer);
        holdingsByPeer.putIfAbsent(peer.id(), new HashSet<>());
    }

    @Override
    public synchronized int remove(String peerId) {
        peers.remove(peerId);
        Set<ResourceId> held = holdingsByPeer.remove(peerId);
        if (held == null) {
            return 0;
        }
        for (ResourceId id : held) {
            dropHolder(id, peerId);
        }
        totalHoldings -= held.size();
        return held.size();
    }

    @Override
    public synchronized Optional<PeerRecord> find(String peerId) {
        return Optional.ofNullable(peers.get(peerId));
    }

    @Override
    public synchronized int addHoldings(String peerId, Collection<ResourceId> ids) {
        Set<ResourceId> held = holdingsByPeer.get(peerId);
        if (held == null) {
            return 0;
        }
        int added = 0;
        for (ResourceId id : ids) {
            if (held.add(id)) {
                added++;
                holdersById.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(peerId);
            }
        }
        totalHoldings += added;
        return added;
    }

    @Override
    public synchronized int removeHoldings(String peerId, Collection<ResourceId> ids) {
        Set<ResourceId> held = holdingsByPeer.get(peerId);
        if (held == null) {
            return 0;
        }
        int removed = 0;
        for (ResourceId id : ids) {
            if (held.remove(id)) {
                removed++;
                dropHolder(id, peerId);
            }
        }
        totalHoldings -= removed;
        return removed;
    }

    private void dropHolder(ResourceId id, String peerId) {
        Set<String> holders = holdersById.get(id);
        if (holders != null) {
            holders.remove(peerId);
            if (holders.isEmpty()) {
                holdersById.remove(id);
            }
        }
    }

    @Override
    public synchronized List<PeerRecord> holders(ResourceId id) {
        Set<String> holders = holdersById.get(id);
        List<PeerRecord> result = new ArrayList<>();
        if (holders != null) {
            for (String peerId : holders) {
                result.add(peers.get(peerId));
            }
        }
        return result;
    }

    @Override
    public synchronized int holdingCount(String peerId) {
        Set<ResourceId> held = holdingsByPeer.get(peerId);
        return held == null ? 0 : held.size();
    }

    @Override
    public synchronized int totalHoldings() {
        return totalHoldings;
    }

    @Override
    public synchronized int size() {
        return peers.size();
    }
}
