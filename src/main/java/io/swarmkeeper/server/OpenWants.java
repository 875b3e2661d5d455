package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each peer still wants, and which holders it was offered: when an offered holder goes,
 * the server can offer the next-best one without being asked again. A want ends when the asker
 * announces the resource, cancels it, leaves, or after a while. Thread-safe.
 */
final class OpenWants {
    /** One peer's want of one resource. */
    static final class Want {
        final String asker;
        final ResourceId id;
        final int count;
        final Set<String> offered = new HashSet<>();
        final long expiresAtNanos;

        Want(String asker, ResourceId id, int count, long expiresAtNanos) {
            this.asker = asker;
            this.id = id;
            this.count = count;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    /** What a want was when looked at: safe to read outside the lock. */
    record View(String asker, ResourceId id, int count, Set<String> offered) {}

    /** Open wants one peer may have; older ones close first. */
    static final int MAX_WANTS_PER_ASKER = 256;

    private final long ttlNanos;
    private final Map<String, Map<ResourceId, Want>> byAsker = new HashMap<>();
    /** The same wants by resource, for holders that announce it later. */
    private final Map<ResourceId, Set<Want>> byId = new HashMap<>();

    OpenWants(int ttlSeconds) {
        this.ttlNanos = ttlSeconds * 1_000_000_000L;
    }

    /** Opens (or renews) a want and records the holders offered for it. */
    synchronized void open(String asker, ResourceId id, int count, List<String> offered, long nowNanos) {
        Want want = new Want(asker, id, count, nowNanos + ttlNanos);
        want.offered.addAll(offered);
        Map<ResourceId, Want> wants = byAsker.computeIfAbsent(asker, k -> new java.util.LinkedHashMap<>());
        expire(wants, nowNanos);
        unindex(wants.remove(id));
        wants.put(id, want);
        byId.computeIfAbsent(id, k -> new java.util.LinkedHashSet<>()).add(want);
        if (wants.size() > MAX_WANTS_PER_ASKER) {
            // Oldest first: a peer asking for ever more keeps only its latest wants open.
            unindex(wants.remove(wants.keySet().iterator().next()));
        }
    }

    synchronized void close(String asker, ResourceId id) {
        Map<ResourceId, Want> wants = byAsker.get(asker);
        if (wants != null) {
            unindex(wants.remove(id));
            if (wants.isEmpty()) {
                byAsker.remove(asker);
            }
        }
    }

    synchronized void closeAll(String asker) {
        Map<ResourceId, Want> wants = byAsker.remove(asker);
        if (wants != null) {
            wants.values().forEach(this::unindex);
        }
    }

    /**
     * Live wants of {@code id}, by others than {@code holder}, that were offered fewer holders than
     * they asked for and not {@code holder}: a holder that announces it now is news to them.
     */
    synchronized List<View> waitingFor(ResourceId id, String holder, long nowNanos) {
        Set<Want> wanting = byId.get(id);
        List<View> result = new ArrayList<>();
        if (wanting == null) {
            return result;
        }
        for (Want want : wanting) {
            if (want.expiresAtNanos - nowNanos >= 0 && !want.asker.equals(holder)
                    && want.offered.size() < want.count && !want.offered.contains(holder)) {
                result.add(view(want));
            }
        }
        return result;
    }

    private void expire(Map<ResourceId, Want> wants, long nowNanos) {
        for (java.util.Iterator<Want> it = wants.values().iterator(); it.hasNext(); ) {
            Want w = it.next();
            if (w.expiresAtNanos - nowNanos < 0) {
                it.remove();
                unindex(w);
            }
        }
    }

    private void unindex(Want want) {
        if (want == null) {
            return;
        }
        Set<Want> wanting = byId.get(want.id);
        if (wanting != null && wanting.remove(want) && wanting.isEmpty()) {
            byId.remove(want.id);
        }
    }

    /** Live wants of {@code asker} that had {@code holder} among their offers. */
    synchronized List<View> offeredBy(String asker, String holder, long nowNanos) {
        Map<ResourceId, Want> wants = byAsker.get(asker);
        List<View> result = new ArrayList<>();
        if (wants == null) {
            return result;
        }
        expire(wants, nowNanos);
        for (Want want : wants.values()) {
            if (want.offered.contains(holder)) {
                result.add(view(want));
            }
        }
        return result;
    }

    private static View view(Want want) {
        return new View(want.asker, want.id, want.count, Set.copyOf(want.offered));
    }

    /**
     * Records a further offer for the asker's open want of {@code id}; false when that want has
     * closed meanwhile, or was offered the holder already (the caller then sends nothing).
     */
    synchronized boolean addOffer(String asker, ResourceId id, String holder) {
        Map<ResourceId, Want> wants = byAsker.get(asker);
        Want want = wants == null ? null : wants.get(id);
        return want != null && want.offered.add(holder);
    }

    synchronized int size() {
        int n = 0;
        for (Map<ResourceId, Want> wants : byAsker.values()) {
            n += wants.size();
        }
        return n;
    }
}
