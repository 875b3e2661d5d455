package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which resources are wanted and poorly held: counts the different addresses that wanted each
 * resource in the last minute, and the origin URLs they gave. When a resource with fewer live
 * holders than the target is wanted from enough different addresses, the server tells seeders
 * the origin most of those askers agree on, at most once per resource every 30 s. One machine
 * opening many ids counts once; an origin given by one asker cannot outvote the others.
 */
final class DemandTracker implements DemandLedger {
    static final long WINDOW_NANOS = 60_000_000_000L;
    static final long REPEAT_NANOS = 30_000_000_000L;
    /** A resource nobody wanted for this long is forgotten. */
    static final long FORGET_NANOS = 600_000_000_000L;
    /** Resources tracked at once; the least recently wanted are forgotten first. */
    static final int MAX_TRACKED = 20_000;
    /** Different origins remembered per resource. */
    static final int MAX_ORIGINS = 4;
    static final int MAX_ORIGIN_CHARS = 2048;
    /** Askers remembered per origin: enough to tell which origin most askers agree on. */
    static final int MAX_ASKERS_PER_ORIGIN = 256;

    private final int minWants;
    private final int targetHolders;
    private final LinkedHashMap<ResourceId, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);

    private static final class Entry {
        /** Wants in the window: (address, time), oldest first. */
        final ArrayDeque<Object[]> wants = new ArrayDeque<>();
        final Map<String, Set<String>> originsByAskers = new HashMap<>();
        long lastWant;
        long lastDemand = Long.MIN_VALUE;
    }

    DemandTracker(int minWants, int targetHolders) {
        this.minWants = minWants;
        this.targetHolders = targetHolders;
    }

    @Override
    public Message.Demand onWant(ResourceId id, String origin, String asker, int liveHolders) {
        return onWant(id, origin, asker, liveHolders, System.nanoTime());
    }

    /** Records a want from {@code asker} (its address) at {@code now}; returns the demand to send to seeders, or null. */
    synchronized Message.Demand onWant(ResourceId id, String origin, String asker, int liveHolders, long now) {
        if (targetHolders == 0) {
            return null;
        }
        forgetOld(now);
        Entry e = entries.computeIfAbsent(id, k -> new Entry());
        e.lastWant = now;
        e.wants.addLast(new Object[] {asker, now});
        while (!e.wants.isEmpty() && now - (long) e.wants.peekFirst()[1] > WINDOW_NANOS) {
            e.wants.removeFirst();
        }
        while (e.wants.size() > 256) {
            e.wants.removeFirst();
        }
        if (DemandLedger.isWebUrl(origin)) {
            Set<String> askers = e.originsByAskers.get(origin);
            if (askers == null && e.originsByAskers.size() < MAX_ORIGINS) {
                askers = new HashSet<>();
                e.originsByAskers.put(origin, askers);
            }
            if (askers != null && askers.size() < MAX_ASKERS_PER_ORIGIN) {
                askers.add(asker);
            }
        }
        Set<String> distinct = new HashSet<>();
        for (Object[] w : e.wants) {
            distinct.add((String) w[0]);
        }
        String agreed = null;
        int votes = 0;
        for (Map.Entry<String, Set<String>> o : e.originsByAskers.entrySet()) {
            if (o.getValue().size() > votes) {
                agreed = o.getKey();
                votes = o.getValue().size();
            }
        }
        if (liveHolders >= targetHolders || distinct.size() < minWants || agreed == null
                || (e.lastDemand != Long.MIN_VALUE && now - e.lastDemand < REPEAT_NANOS)) {
            return null;
        }
        e.lastDemand = now;
        return new Message.Demand(id.text(), agreed, distinct.size(), liveHolders);
    }

    synchronized int tracked() {
        return entries.size();
    }

    private void forgetOld(long now) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (entries.size() <= MAX_TRACKED && now - e.lastWant <= FORGET_NANOS) {
                break; // access order: the rest were wanted more recently
            }
            it.remove();
        }
    }
}
