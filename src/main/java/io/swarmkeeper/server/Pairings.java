package io.swarmkeeper.server;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which peers the server has matched, and so may exchange signals, with why (the ranking's
 * reason). Symmetric. Thread-safe.
 */
final class Pairings {
    /** Peer → its partners → why they were matched (empty string when no reason was given). */
    private final Map<String, Map<String, String>> partners = new HashMap<>();
    /** Asker → holders it was offered: the one direction in which a report makes sense. */
    private final Map<String, Set<String>> offered = new HashMap<>();

    /** Pairs an asker with a holder it was offered, for {@code reason} (may be null). */
    synchronized void offer(String asker, String holder, String reason) {
        String why = reason == null ? "" : reason;
        partners.computeIfAbsent(asker, k -> new HashMap<>()).put(holder, why);
        partners.computeIfAbsent(holder, k -> new HashMap<>()).put(asker, why);
        offered.computeIfAbsent(asker, k -> new HashSet<>()).add(holder);
    }

    /** True when {@code holder} was offered to {@code asker} (and neither has left since). */
    synchronized boolean wasOffered(String asker, String holder) {
        Set<String> of = offered.get(asker);
        return of != null && of.contains(holder);
    }

    synchronized boolean arePaired(String a, String b) {
        Map<String, String> of = partners.get(a);
        return of != null && of.containsKey(b);
    }

    /** Why {@code a} and {@code b} were last matched; null if they are not paired or no reason was given. */
    synchronized String reason(String a, String b) {
        Map<String, String> of = partners.get(a);
        String why = of == null ? null : of.get(b);
        return why == null || why.isEmpty() ? null : why;
    }

    /** Drops every pairing of {@code peer}; returns its former partners. */
    synchronized Set<String> removeAll(String peer) {
        offered.remove(peer);
        for (Set<String> holders : offered.values()) {
            holders.remove(peer);
        }
        Map<String, String> of = partners.remove(peer);
        if (of == null) {
            return Set.of();
        }
        for (String other : of.keySet()) {
            Map<String, String> back = partners.get(other);
            if (back != null) {
                back.remove(peer);
                if (back.isEmpty()) {
                    partners.remove(other);
                }
            }
        }
        return of.keySet();
    }

    synchronized int pairCount() {
        int ends = 0;
        for (Map<String, String> s : partners.values()) {
            ends += s.size();
        }
        return ends / 2;
    }
}
