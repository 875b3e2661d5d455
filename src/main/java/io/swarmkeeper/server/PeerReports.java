package io.swarmkeeper.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What peers reported of each other ({@code report}: bad bytes, broken protocol, stalls). A
 * reporter is never matched again with a peer it reported; a peer reported by
 * {@link #EXCLUDE_AFTER} different peers is offered to nobody. Only a peer that was matched with
 * the reported one may report it, so a stranger cannot get honest peers excluded, and a peer
 * needs several accomplices to do so. Everything about a peer is forgotten when it leaves.
 */
final class PeerReports {
    /** Different reporters after which a peer is offered to nobody. */
    static final int EXCLUDE_AFTER = 3;
    /** Reports one peer may have on record, so that memory stays bounded. */
    static final int MAX_REPORTS_PER_REPORTER = 1024;

    private final Map<String, Set<String>> reportedBy = new HashMap<>(); // reporter → peers it reported
    private final Map<String, Set<String>> reportersOf = new HashMap<>(); // peer → its reporters

    /** Records a report; true when it was new. */
    synchronized boolean report(String reporter, String peer) {
        if (reporter.equals(peer)) {
            return false;
        }
        Set<String> mine = reportedBy.computeIfAbsent(reporter, k -> new HashSet<>());
        if (mine.size() >= MAX_REPORTS_PER_REPORTER || !mine.add(peer)) {
            return false;
        }
        reportersOf.computeIfAbsent(peer, k -> new HashSet<>()).add(reporter);
        return true;
    }

    /** True when {@code holder} must not be offered to {@code asker}. */
    synchronized boolean excludes(String asker, String holder) {
        Set<String> mine = reportedBy.get(asker);
        if (mine != null && mine.contains(holder)) {
            return true;
        }
        Set<String> reporters = reportersOf.get(holder);
        return reporters != null && reporters.size() >= EXCLUDE_AFTER;
    }

    synchronized int reporters(String peer) {
        Set<String> reporters = reportersOf.get(peer);
        return reporters == null ? 0 : reporters.size();
    }

    /** The peer left: its reports and the reports about it go. */
    synchronized void forget(String peerId) {
        Set<String> mine = reportedBy.remove(peerId);
        if (mine != null) {
            for (String peer : mine) {
                Set<String> reporters = reportersOf.get(peer);
                if (reporters != null) {
                    reporters.remove(peerId);
                    if (reporters.isEmpty()) {
                        reportersOf.remove(peer);
                    }
                }
            }
        }
        Set<String> about = reportersOf.remove(peerId);
        if (about != null) {
            for (String reporter : about) {
                Set<String> theirs = reportedBy.get(reporter);
                if (theirs != null) {
                    theirs.remove(peerId);
                }
            }
        }
    }
}
