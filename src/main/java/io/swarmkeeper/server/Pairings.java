package io.swarmkeeper.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Which peers the server has matched, and so may exchange signals. Symmetric. Thread-safe. */
final class Pairings {
    private final Map<String, Set<String>> partners = new HashMap<>();
    /** Asker → holders it was offered: the one direction in which a report makes sense. */
    private final Map<String, Set<String>> offered = new HashMap<>();

    /** Pairs an asker with a holder it was offered. */
    synchronized void offer(String asker, String holder) {
        pair(asker, holder);
        offered.computeIfAbsent(asker, k -> new HashSet<>()).add(holder);
    }

    /** True when {@code holder} was offered to {@code asker} (and neither has left since). */
    synchronized boolean wasOffered(String asker, String holder) {
        Set<String> of = offered.get(asker);
        return of != null && of.contains(holder);
    }

    synchronized void pair(String a, String b) {
        partners.computeIfAbsent(a, k -> new HashSet<>()).add(b);
        partners.computeIfAbsent(b, k -> new HashSet<>()).add(a);
    }

    synchronized boolean arePaired(String a, String b) {
        Set<String> of = partners.get(a);
        return of != null && of.contains(b);
    }

    /** Drops every pairing of {@code peer}; returns its former partners. */
    synchronized Set<String> removeAll(String peer) {
        offered.remove(peer);
        for (Set<String> holders : offered.values()) {
            holders.remove(peer);
        }
        Set<String> of = partners.remove(peer);
        if (of == null) {
            return Set.of();
        }
        for (String other : of) {
            Set<String> back = partners.get(other);
            if (back != null) {
                back.remove(peer);
                if (back.isEmpty()) {
                    partners.remove(other);
                }
            }
        }
        return of;
    }

    synchronized int pairCount() {
        int ends = 0;
        for (Set<String> s : partners.values()) {
            ends += s.size();
        }
        return ends / 2;
    }
}
