package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which peers the server has matched, and so may exchange signals, with why (the ranking's
 * reason), and which holders each asker was offered for which resources: the one direction in
 * which a {@code report} or {@code served} makes sense. Symmetric for signals. Thread-safe:
 * changes are made under this object's lock; whether two peers are paired, which every relayed
 * signal asks, is read without it. Forgetting a peer costs as much as its own pairings, not the
 * server's.
 */
final class Pairings {
    /** Holders one asker keeps offers of; the oldest offer goes first. */
    static final int MAX_OFFERS_PER_ASKER = 512;
    /** Resources remembered per offer (what a report may be about). */
    static final int MAX_RESOURCES_PER_OFFER = 8;
    /** How long an asker may still report or confirm a holder that left. */
    static final long DEPARTED_NANOS = 10 * 60_000_000_000L;
    static final int MAX_DEPARTED = 100_000;

    /** What an asker was offered of one holder; {@code departedHolder} is set once the holder has left. */
    record Offered(Set<ResourceId> resources, Reputation.Party departedHolder) {}

    private record Offer(String asker, String holder) {}

    private record Departed(Set<ResourceId> resources, Reputation.Party holder, long at) {}

    /**
     * Peer → its partners → why they were matched (empty string when no reason was given).
     * Written under the lock, read without it ({@link #pairing}).
     */
    private final Map<String, Map<String, String>> partners = new ConcurrentHashMap<>();
    /** A partner connected to another server: which one, and its network when known (null). */
    private record Remote(String home, java.net.InetAddress network) {}

    /**
     * In a cluster: partners connected to other servers, kept while paired with a peer here (a
     * relayed signal asks Redis nothing; a report of one that left names its network). Read
     * without the lock.
     */
    private final Map<String, Remote> homes = new ConcurrentHashMap<>();
    /** Asker → holder → the resources it was offered for, oldest offer first. */
    private final Map<String, LinkedHashMap<String, Set<ResourceId>>> offered = new HashMap<>();
    /**
     * Offers whose holder has left, kept a while with the holder's network: a liar that
     * disconnects right after its bad bytes can still be reported (an honest holder confirmed).
     */
    private final LinkedHashMap<Offer, Departed> departed = new LinkedHashMap<>();

    /** Pairs an asker with a holder it was offered for {@code resource}, for {@code reason} (may be null). */
    synchronized void offer(String asker, String holder, String reason, ResourceId resource) {
        String why = reason == null ? "" : reason;
        partners.computeIfAbsent(asker, k -> new ConcurrentHashMap<>(2)).put(holder, why);
        partners.computeIfAbsent(holder, k -> new ConcurrentHashMap<>(2)).put(asker, why);
        LinkedHashMap<String, Set<ResourceId>> of = offered.computeIfAbsent(asker, k -> new LinkedHashMap<>());
        Set<ResourceId> resources = of.remove(holder); // re-inserted: the newest offer
        if (resources == null) {
            resources = new LinkedHashSet<>();
        }
        resources.add(resource);
        if (resources.size() > MAX_RESOURCES_PER_OFFER) {
            resources.remove(resources.iterator().next());
        }
        of.put(holder, resources);
        if (of.size() > MAX_OFFERS_PER_ASKER) {
            Iterator<String> oldest = of.keySet().iterator();
            unpair(asker, oldest.next());
            oldest.remove();
        }
    }

    /**
     * Pairs a peer connected here with one connected to another server of the cluster, which
     * made the offer there: only so that their signals pass (offers and reports stay with the
     * asker's server).
     */
    synchronized void pairAcross(String local, String remote, String reason, String remoteHome) {
        String why = reason == null ? "" : reason;
        partners.computeIfAbsent(local, k -> new ConcurrentHashMap<>(2)).put(remote, why);
        partners.computeIfAbsent(remote, k -> new ConcurrentHashMap<>(2)).put(local, why);
        remote(remote, remoteHome, null);
    }

    /**
     * Records the server of {@code remote}, a partner connected to another one, and its network
     * (null when not known), while it is paired here.
     */
    synchronized void remote(String remote, String home, java.net.InetAddress network) {
        if (home != null && partners.containsKey(remote)) {
            Remote known = homes.get(remote);
            homes.put(remote, new Remote(home, network != null || known == null ? network : known.network()));
        }
    }

    /** The server a partner connected to another one is on, as recorded at its pairing; null when not known. */
    String homeOf(String remote) {
        Remote r = homes.get(remote);
        return r == null ? null : r.home();
    }

    /** The network of a partner connected to another server, as its record said when offered; null when not known. */
    java.net.InetAddress networkOf(String remote) {
        Remote r = homes.get(remote);
        return r == null ? null : r.network();
    }

    /** A peer has no partner left: forgotten with its server, if it had one. */
    private void dropPeer(String peer) {
        partners.remove(peer);
        homes.remove(peer);
    }

    /** Every pairing of a peer {@code here} accepts with a partner it does not: [peer, partner] pairs. */
    List<String[]> pairsWithOthers(java.util.function.Predicate<String> here) {
        List<String[]> pairs = new java.util.ArrayList<>();
        partners.forEach((peer, of) -> {
            if (here.test(peer)) {
                for (String partner : of.keySet()) {
                    if (!here.test(partner)) {
                        pairs.add(new String[] {peer, partner});
                    }
                }
            }
        });
        return pairs;
    }

    /** Drops the pairing of two peers (one of them left another server of the cluster); false when they were not paired. */
    synchronized boolean forget(String a, String b) {
        boolean paired = pairing(a, b) != null;
        unpair(a, b);
        return paired;
    }

    /**
     * {@code holder}, connected to another server of the cluster, left: drops its pairing with
     * {@code asker} (here), which keeps what it was offered of it for a while, as for a holder
     * that left this server; false when they were not paired.
     */
    synchronized boolean forgetDeparted(String asker, Reputation.Party holder, long nowNanos) {
        boolean paired = forget(asker, holder.id());
        keepDeparted(asker, holder, nowNanos);
        expireDeparted(nowNanos);
        return paired;
    }

    /** Moves what {@code asker} was offered of {@code holder}, which left, to the departed offers. */
    private void keepDeparted(String asker, Reputation.Party holder, long nowNanos) {
        Map<String, Set<ResourceId>> theirs = offered.get(asker);
        Set<ResourceId> resources = theirs == null ? null : theirs.remove(holder.id());
        if (resources != null) {
            if (theirs.isEmpty()) {
                offered.remove(asker);
            }
            departed.remove(new Offer(asker, holder.id()));
            departed.put(new Offer(asker, holder.id()), new Departed(Set.copyOf(resources), holder, nowNanos));
        }
    }

    private void unpair(String a, String b) {
        Map<String, String> of = partners.get(a);
        if (of != null && of.remove(b) != null && of.isEmpty()) {
            dropPeer(a);
        }
        Map<String, String> back = partners.get(b);
        if (back != null && back.remove(a) != null && back.isEmpty()) {
            dropPeer(b);
        }
    }

    /**
     * What {@code asker} was offered of {@code holder}, if anything: while both are connected, and
     * for {@link #DEPARTED_NANOS} after the holder left.
     */
    synchronized Offered offered(String asker, String holder, long nowNanos) {
        Map<String, Set<ResourceId>> of = offered.get(asker);
        Set<ResourceId> resources = of == null ? null : of.get(holder);
        if (resources != null) {
            return new Offered(Set.copyOf(resources), null);
        }
        Departed gone = departed.get(new Offer(asker, holder));
        if (gone != null && nowNanos - gone.at() <= DEPARTED_NANOS) {
            return new Offered(gone.resources(), gone.holder());
        }
        return null;
    }

    /**
     * Why {@code a} and {@code b} were last matched, the empty string when no reason was given,
     * or null when they are not paired. Takes no lock: the relay path asks it for every signal.
     */
    String pairing(String a, String b) {
        Map<String, String> of = partners.get(a);
        return of == null ? null : of.get(b);
    }

    boolean arePaired(String a, String b) {
        return pairing(a, b) != null;
    }

    /**
     * Drops every pairing of {@code peer}, which left; returns its former partners. Askers it was
     * offered to keep that offer for a while ({@link #offered}).
     */
    synchronized Set<String> removeAll(Reputation.Party peer, long nowNanos) {
        String id = peer.id();
        offered.remove(id);
        Map<String, String> of = partners.remove(id);
        homes.remove(id);
        if (of == null) {
            expireDeparted(nowNanos);
            return Set.of();
        }
        for (String other : of.keySet()) {
            Map<String, String> back = partners.get(other);
            if (back != null) {
                back.remove(id);
                if (back.isEmpty()) {
                    dropPeer(other);
                }
            }
            keepDeparted(other, peer, nowNanos); // only partners can have offered this peer: no scan of every asker
        }
        expireDeparted(nowNanos);
        return of.keySet();
    }

    private void expireDeparted(long nowNanos) {
        for (Iterator<Departed> it = departed.values().iterator(); it.hasNext(); ) {
            Departed oldest = it.next();
            if (departed.size() <= MAX_DEPARTED && nowNanos - oldest.at() <= DEPARTED_NANOS) {
                break; // kept in order of departure
            }
            it.remove();
        }
    }

    synchronized int pairCount() {
        int ends = 0;
        for (Map<String, String> s : partners.values()) {
            ends += s.size();
        }
        return ends / 2;
    }
}
