package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code want} family: which holders an asker is offered (the ranking policy, then one per
 * network and served records first), the holders offered later to wants still waiting, the
 * next-best holder when an offered one leaves, and the demand told to seeders.
 */
final class Matching {
    private static final Logger log = LoggerFactory.getLogger(Matching.class);
    /** Seeders told of one demand. */
    static final int DEMAND_FANOUT = 3;

    private final ServerConfig config;
    private final PeerDirectory directory;
    private final HolderRanking ranking;
    private final Reputation reputation;
    private final Pairings pairings;
    private final OpenWants wants;
    private final DemandLedger demand;
    private final ServerMetrics metrics;
    private final Replies replies;
    /** Connected peers by id. */
    private final Map<String, Connection> connections;
    /** Connected seeders: the ones demand goes to. */
    private final Set<Connection> seeders;
    private final SecureRandom random = new SecureRandom();
    /** The other servers of a cluster, whose peers' holdings the directory lists too; null for a server alone. */
    private final ClusterBus bus;

    Matching(ServerConfig config, PeerDirectory directory, HolderRanking ranking, Reputation reputation, Pairings pairings,
             OpenWants wants, DemandLedger demand, ServerMetrics metrics, Replies replies,
             Map<String, Connection> connections, Set<Connection> seeders, ClusterBus bus) {
        this.bus = bus;
        this.config = config;
        this.directory = directory;
        this.ranking = ranking;
        this.reputation = reputation;
        this.pairings = pairings;
        this.wants = wants;
        this.demand = demand;
        this.metrics = metrics;
        this.replies = replies;
        this.connections = connections;
        this.seeders = seeders;
    }

    /**
     * A holder announced {@code id}: askers whose open want was offered fewer holders than they
     * asked for (an empty match among them) are offered it at once, without asking again.
     */
    void offerToWaitingAskers(PeerSession holder, ResourceId id, long now) {
        offerToWaitingAskers(holder.record(), holder.party(), id, now);
    }

    /**
     * A holder connected to another server of the cluster announced resources that askers here
     * wait for (that server found this one among those waiting): offered as a local one would be.
     */
    void offerRemoteHolderToWaitingAskers(String holderId, List<ResourceId> ids, long now) {
        if (connections.containsKey(holderId)) {
            return; // here after all: its own announcement did it
        }
        if (ids.stream().allMatch(id -> wants.waitingFor(id, holderId, now).isEmpty())) {
            return; // nobody here waits any more (the note in Redis outlives the wants): no lookup
        }
        PeerRecord holder = directory.find(holderId).orElse(null);
        if (holder == null) {
            return; // gone meanwhile
        }
        Reputation.Party party = new Reputation.Party(holderId, holder.network(), now);
        for (ResourceId id : ids) {
            offerToWaitingAskers(holder, party, id, now);
        }
    }

    private void offerToWaitingAskers(PeerRecord holder, Reputation.Party holderParty, ResourceId id, long now) {
        for (OpenWants.View want : wants.waitingFor(id, holder.id(), now)) {
            Connection askerConn = connections.get(want.asker());
            PeerSession asker = ConnectionState.sessionOf(askerConn);
            if (asker == null || !askerConn.isOpen()
                    || reputation.excludes(asker.party(), holderParty, id, now)) {
                continue;
            }
            List<HolderRanking.Ranked> ranked = ranking.rank(asker.record(), List.of(holder), 1);
            if (!ranked.isEmpty() && wants.addOffer(asker.id(), id, holder.id())) {
                sendMatch(askerConn, asker.id(), id, ranked);
            }
        }
    }

    void onWant(Connection conn, PeerSession session, Message.Want want) {
        if (!ResourceId.isValid(want.hash())) {
            replies.error(conn, ErrorCode.BAD_HASH, "not a resource id: " + Replies.abbreviate(want.hash()));
            return;
        }
        ResourceId id = ResourceId.parse(want.hash());
        int count = want.count() == null ? 1 : Math.max(1, Math.min(want.count(), config.maxMatchCount()));
        List<PeerRecord> live = liveHolders(session, id, Set.of());
        List<HolderRanking.Ranked> ranked = choose(session, live, count);
        if (bus != null && ranked.size() < count) {
            // A holder that announces it on another server from now on will be offered from
            // there; one that announced it since the lookup above did not see this server
            // waiting: look again.
            bus.waiting(id.text(), config.wantSeconds());
            live = liveHolders(session, id, Set.of());
            ranked = choose(session, live, count);
        }
        List<String> offered = new ArrayList<>(ranked.size());
        for (HolderRanking.Ranked holder : ranked) {
            offered.add(holder.peer().id());
        }
        wants.open(session.id(), id, count, offered, System.nanoTime());
        sendMatch(conn, session.id(), id, ranked);
        ConnectionState c = conn.state();
        String address = c == null || c.network == null ? session.id() : c.network.getHostAddress(); // by network
        try {
            Message.Demand wanted = demand.onWant(id, want.origin(), address, live.size());
            if (wanted != null) {
                tellSeeders(wanted, id, session.id());
            }
        } catch (SharedStateException e) {
            // Demand is a hint to seeders: the asker has its match, and is not told to ask again.
            log.debug("demand for {} not counted: {}", id.shortForm(), e.getMessage());
        }
    }

    /**
     * Sends a demand to up to {@link #DEMAND_FANOUT} seeders that do not hold the resource, picked
     * at random: among this server's, or in a cluster among every server's.
     */
    private void tellSeeders(Message.Demand wanted, ResourceId id, String asker) {
        Set<String> holding = new java.util.HashSet<>();
        directory.holders(id, config.maxHoldersConsidered()).forEach(p -> holding.add(p.id()));
        holding.add(asker);
        List<String[]> candidates = new ArrayList<>(); // [seeder id, its server or null for this one]
        if (bus == null) {
            for (Connection seeder : seeders) {
                PeerSession s = ConnectionState.sessionOf(seeder);
                if (s != null && seeder.isOpen()) {
                    candidates.add(new String[] {s.id(), null});
                }
            }
        } else {
            candidates.addAll(bus.someSeeders(4 * DEMAND_FANOUT + holding.size()));
        }
        candidates.removeIf(c -> holding.contains(c[0]));
        java.util.Collections.shuffle(candidates, random);
        int told = 0;
        for (String[] seeder : candidates) {
            if (told == DEMAND_FANOUT) {
                break;
            }
            Connection here = connections.get(seeder[0]);
            if (here != null) {
                if (here.isOpen()) {
                    replies.send(here, wanted);
                    told++;
                }
            } else if (seeder[1] != null && !seeder[1].equals(bus.instance())) {
                bus.demand(seeder[1], seeder[0], MessageCodec.encode(wanted));
                told++;
            }
        }
        log.debug("{} is in demand ({} wants, {} holders): told {} seeders", id.shortForm(), wanted.wants(),
                wanted.holders(), told);
    }

    /**
     * The ranking policy's order, then {@link HolderChoice}: one holder per network first, holders
     * with a served record and without taking turns.
     */
    private List<HolderRanking.Ranked> choose(PeerSession asker, List<PeerRecord> live, int count) {
        if (live.isEmpty()) {
            return List.of();
        }
        List<HolderRanking.Ranked> policyOrder = ranking.rank(asker.record(), live, live.size());
        return HolderChoice.choose(policyOrder, count, p -> {
            PeerSession s = ConnectionState.sessionOf(connections.get(p.id()));
            return s == null ? p.network() : s.network();
        }, p -> reputation.servedRecord(p.id()));
    }

    /** Holders of {@code id} that are connected and not excluded for {@code asker}, unranked. */
    private List<PeerRecord> liveHolders(PeerSession asker, ResourceId id, Set<String> exclude) {
        List<PeerRecord> live = new ArrayList<>();
        long now = System.nanoTime();
        Reputation.Party askerParty = asker.party();
        // At most --max-holders-considered, sampled at random when more hold it: a match of a
        // popular resource costs no more than this.
        for (PeerRecord holder : directory.holders(id, config.maxHoldersConsidered())) {
            if (exclude.contains(holder.id()) || holder.id().equals(asker.id())) {
                continue;
            }
            Connection c = connections.get(holder.id());
            PeerSession hs = ConnectionState.sessionOf(c);
            Reputation.Party party;
            if (hs != null && c.isOpen()) {
                party = hs.party();
            } else if (bus != null && c == null) {
                // Connected to another server of the cluster (the shared directory lists only live
                // ones). Its joining time is not shared: taken as now, so that reports against its
                // network count against it too (the stricter reading).
                party = new Reputation.Party(holder.id(), holder.network(), now);
            } else {
                continue;
            }
            if (!reputation.excludes(askerParty, party, id, now)) {
                live.add(holder);
            }
        }
        return live;
    }

    private void sendMatch(Connection conn, String askerId, ResourceId id, List<HolderRanking.Ranked> holders) {
        List<Message.PeerInfo> peers = new ArrayList<>(holders.size());
        for (HolderRanking.Ranked holder : holders) {
            pairings.offer(askerId, holder.peer().id(), holder.reason(), id);
            if (bus != null && !connections.containsKey(holder.peer().id())) {
                // Before the match goes out: the holder's server must know them paired when the
                // asker's first signal arrives there (both go out in this order on one channel).
                String home = bus.homeOf(holder.peer().id());
                pairings.remote(holder.peer().id(), home, holder.peer().network());
                if (home != null) {
                    bus.paired(home, askerId, holder.peer().id(), holder.reason());
                }
            }
            metrics.offered(holder.reason());
            peers.add(new Message.PeerInfo(holder.peer().id(), holder.peer().role(), holder.reason(),
                    PeerSession.wirePlaceOf(holder.peer().place())));
        }
        metrics.matches.increment();
        replies.send(conn, new Message.Match(id.text(), peers));
    }

    /** A partner of a peer that left hears {@code peer-gone}, and the next-best holder for what it still wants. */
    void tellPartnerGone(String partner, String goneId, long now) {
        Connection other = connections.get(partner);
        if (other == null) {
            return;
        }
        replies.send(other, new Message.PeerGone(goneId));
        PeerSession otherSession = ConnectionState.sessionOf(other);
        if (otherSession == null) {
            return;
        }
        for (OpenWants.View want : wants.offeredBy(partner, goneId, now)) {
            List<HolderRanking.Ranked> next = choose(otherSession, liveHolders(otherSession, want.id(), want.offered()), 1);
            if (!next.isEmpty() && wants.addOffer(partner, want.id(), next.get(0).peer().id())) {
                sendMatch(other, partner, want.id(), next);
            }
        }
    }
}
