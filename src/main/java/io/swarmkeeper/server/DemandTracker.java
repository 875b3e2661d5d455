package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which resources are wanted and poorly held: counts the wants of each resource over the last
 * minute and remembers where its website serves it (from the wants that say so). When a
 * resource with fewer live holders than the target is wanted often enough, the server tells
 * seeders, at most once per resource every 30 s.
 */
final class DemandTracker {
    static final long WINDOW_NANOS = 60_000_000_000L;
    static final long REPEAT_NANOS = 30_000_000_000L;
    /** Resources tracked at once; the least recently wanted are forgotten first. */
    static final int MAX_TRACKED = 100_000;
    private static final int MAX_ORIGIN_CHARS = 2048;

    private final int minWants;
    private final int targetHolders;
    private final Map<ResourceId, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ResourceId, Entry> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    private static final class Entry {
        final ArrayDeque<Long> wants = new ArrayDeque<>();
        String origin;
        long lastDemand = Long.MIN_VALUE;
    }

    DemandTracker(int minWants, int targetHolders) {
        this.minWants = minWants;
        this.targetHolders = targetHolders;
    }

    /** Records a want; returns the demand to send to seeders, or null when none is due. */
    synchronized Message.Demand onWant(ResourceId id, String origin, int liveHolders, long now) {
        if (targetHolders == 0) {
            return null;
        }
        Entry e = entries.computeIfAbsent(id, k -> new Entry());
        e.wants.addLast(now);
        while (!e.wants.isEmpty() && now - e.wants.peekFirst() > WINDOW_NANOS) {
            e.wants.removeFirst();
        }
        while (e.wants.size() > Math.max(minWants, 64)) {
            e.wants.removeFirst();
        }
        if (e.origin == null && isWebUrl(origin)) {
            e.origin = origin;
        }
        if (liveHolders >= targetHolders || e.wants.size() < minWants || e.origin == null
                || (e.lastDemand != Long.MIN_VALUE && now - e.lastDemand < REPEAT_NANOS)) {
            return null;
        }
        e.lastDemand = now;
        return new Message.Demand(id.text(), e.origin, e.wants.size(), liveHolders);
    }

    static boolean isWebUrl(String url) {
        if (url == null || url.length() > MAX_ORIGIN_CHARS) {
            return false;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
