package io.swarmkeeper.server;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What peers reported of the holders they asked for ({@code report}: bad bytes, broken
 * protocol, stalls). A reporter is never matched again with a peer it reported; a peer reported
 * from {@link #EXCLUDE_AFTER} different network addresses is offered to nobody. Reports are kept
 * for {@link #MEMORY_NANOS} whether the peers stay or leave (so a liar cannot wash them off by
 * reconnecting and resuming its id), within a bounded number of entries.
 *
 * <p>Only a peer that asked for a resource and was given the reported peer as a holder may
 * report it, and reports count by address, not by id: one machine cannot exclude an honest
 * holder however many ids it opens.
 */
final class PeerReports {
    /** Different reporting addresses after which a peer is offered to nobody. */
    static final int EXCLUDE_AFTER = 3;
    static final long MEMORY_NANOS = 3_600_000_000_000L;
    /** Reports kept at once, oldest dropped first. */
    static final int MAX_REPORTS = 200_000;

    private record Key(String reporter, String peer) {}

    private record Report(String reporterAddress, long at) {}

    private final Map<Key, Report> reports = new LinkedHashMap<>();
    /** Peer → reporting address → how many reports from it are on record. */
    private final Map<String, Map<String, Integer>> addressesOf = new HashMap<>();

    /** Records a report from {@code reporter} at {@code reporterAddress}; true when it was new. */
    synchronized boolean report(String reporter, String reporterAddress, String peer, long now) {
        expire(now);
        if (reporter.equals(peer)) {
            return false;
        }
        Key key = new Key(reporter, peer);
        if (reports.containsKey(key)) {
            return false;
        }
        if (reports.size() >= MAX_REPORTS) {
            Iterator<Map.Entry<Key, Report>> oldest = reports.entrySet().iterator();
            Map.Entry<Key, Report> e = oldest.next();
            oldest.remove();
            unindex(e.getKey().peer(), e.getValue().reporterAddress());
        }
        reports.put(key, new Report(reporterAddress, now));
        addressesOf.computeIfAbsent(peer, k -> new HashMap<>()).merge(reporterAddress, 1, Integer::sum);
        return true;
    }

    /** True when {@code holder} must not be offered to {@code asker}. */
    synchronized boolean excludes(String asker, String holder, long now) {
        Report mine = reports.get(new Key(asker, holder));
        if (mine != null && now - mine.at() <= MEMORY_NANOS) {
            return true;
        }
        return reporters(holder) >= EXCLUDE_AFTER;
    }

    /** Different addresses that reported {@code peer}. */
    synchronized int reporters(String peer) {
        Map<String, Integer> addresses = addressesOf.get(peer);
        return addresses == null ? 0 : addresses.size();
    }

    private void expire(long now) {
        for (Iterator<Map.Entry<Key, Report>> it = reports.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Report> e = it.next();
            if (now - e.getValue().at() <= MEMORY_NANOS) {
                break; // kept in order of arrival
            }
            it.remove();
            unindex(e.getKey().peer(), e.getValue().reporterAddress());
        }
    }

    private void unindex(String peer, String address) {
        Map<String, Integer> addresses = addressesOf.get(peer);
        if (addresses != null) {
            addresses.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
            if (addresses.isEmpty()) {
                addressesOf.remove(peer);
            }
        }
    }
}
