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
    /**
     * Offers whose holder has left, kept a while: a liar that disconnects right after its bad
     * bytes can still be reported (and an honest holder still confirmed) by the asker.
     */
    private final Map<Offer, Long> departed = new java.util.LinkedHashMap<>();

    private record Offer(String asker, String holder) {}

    /** How long an asker may still report or confirm a holder that left. */
    static final long DEPARTED_NANOS = 10 * 60_000_000_000L;
    static final int MAX_DEPARTED = 100_000;

    /** Pairs an asker with a holder it was offered, for {@code reason} (may be null). */
    synchronized void offer(String asker, String holder, String reason) {
        String why = reason == null ? "" : reason;
        partners.computeIfAbsent(asker, k -> new HashMap<>()).put(holder, why);
        partners.computeIfAbsent(holder, k -> new HashMap<>()).put(asker, why);
        offered.computeIfAbsent(asker, k -> new HashSet<>()).add(holder);
    }

    /**
     * True when {@code holder} was offered to {@code asker}, and the asker has not left since (the
     * holder may have, within {@link #DEPARTED_NANOS}).
     */
    synchronized boolean wasOffered(String asker, String holder, long nowNanos) {
        Set<String> of = offered.get(asker);
        if (of != null && of.contains(holder)) {
            return true;
        }
        Long left = departed.get(new Offer(asker, holder));
        return left != null && nowNanos - left <= DEPARTED_NANOS;
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
    synchronized Set<String> removeAll(String peer, long nowNanos) {
        offered.remove(peer);
        for (Map.Entry<String, Set<String>> e : offered.entrySet()) {
            if (e.getValue().remove(peer)) {
                departed.put(new Offer(e.getKey(), peer), nowNanos);
            }
        }
        for (java.util.Iterator<Long> it = departed.values().iterator(); it.hasNext(); ) {
            if (departed.size() <= MAX_DEPARTED && nowNanos - it.next() <= DEPARTED_NANOS) {
                break; // oldest first
            }
            it.remove();
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
