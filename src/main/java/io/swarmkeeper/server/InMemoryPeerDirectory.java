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

/**
 * The directory of one server process. Thread-safe: every call holds the same lock, briefly.
 * Most resources have one holder (and every resource a flood announces does), so a resource's
 * holders are kept as the holder's id itself until there is a second: a holding then costs its
 * id and two map entries, not a set of its own (`.ci/bench HoldingCost`).
 */
public final class InMemoryPeerDirectory implements PeerDirectory {
    private final Map<String, PeerRecord> peers = new HashMap<>();
    private final Map<String, Set<ResourceId>> holdingsByPeer = new HashMap<>();
    /** A holder's id (String), or the ids of several ({@code Set<String>}, in announcement order). */
    private final Map<ResourceId, Object> holdersById = new HashMap<>();
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
                addHolder(id, peerId);
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

    private void addHolder(ResourceId id, String peerId) {
        holdersById.merge(id, peerId, (existing, added) -> {
            if (existing instanceof String one) {
                Set<String> several = new LinkedHashSet<>(4);
                several.add(one);
                several.add(peerId);
                return several;
            }
            @SuppressWarnings("unchecked")
            Set<String> several = (Set<String>) existing;
            several.add(peerId);
            return several;
        });
    }

    private void dropHolder(ResourceId id, String peerId) {
        holdersById.computeIfPresent(id, (k, existing) -> {
            if (existing instanceof String one) {
                return one.equals(peerId) ? null : one;
            }
            @SuppressWarnings("unchecked")
            Set<String> several = (Set<String>) existing;
            several.remove(peerId);
            return several.isEmpty() ? null : several.size() == 1 ? several.iterator().next() : several;
        });
    }

    @Override
    public synchronized List<PeerRecord> holders(ResourceId id) {
        Object holders = holdersById.get(id);
        List<PeerRecord> result = new ArrayList<>();
        if (holders instanceof String one) {
            result.add(peers.get(one));
        } else if (holders != null) {
            @SuppressWarnings("unchecked")
            Set<String> several = (Set<String>) holders;
            for (String peerId : several) {
                result.add(peers.get(peerId));
            }
        }
        return result;
    }

    @Override
    public synchronized List<PeerRecord> holders(ResourceId id, int limit) {
        Object holders = holdersById.get(id);
        if (!(holders instanceof Set<?> several) || several.size() <= limit) {
            return holders(id);
        }
        // Reservoir sampling: one pass, no copy of a popular resource's holders.
        List<PeerRecord> sample = new ArrayList<>(limit);
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        int seen = 0;
        for (Object peerId : several) {
            PeerRecord record = peers.get((String) peerId);
            if (seen < limit) {
                sample.add(record);
            } else {
                int slot = random.nextInt(seen + 1);
                if (slot < limit) {
                    sample.set(slot, record);
                }
            }
            seen++;
        }
        return sample;
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
