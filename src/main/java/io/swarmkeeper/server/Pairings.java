package io.swarmkeeper.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Which peers the server has matched, and so may exchange signals. Symmetric. Thread-safe. */
final class Pairings {
    private final Map<String, Set<String>> partners = new HashMap<>();

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
