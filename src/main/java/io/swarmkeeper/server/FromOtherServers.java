package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the other servers of a cluster send to this one ({@link ClusterBus.Inbox}): signals for its
 * peers (delivered only between paired peers), pairings made there, departures there, a server
 * gone silent, and the cluster having forgotten this one. On the bus's one thread, in order.
 */
final class FromOtherServers implements ClusterBus.Inbox {
    private static final Logger log = LoggerFactory.getLogger(FromOtherServers.class);
    private final Map<String, Connection> connections;
    private final Pairings pairings;
    private final ServerMetrics metrics;
    private final Replies replies;
    private final Matching matching;
    private final Admission admission;
    private final ClusterBus bus;
    private final Reputation reputation;

    FromOtherServers(Map<String, Connection> connections, Pairings pairings, ServerMetrics metrics, Replies replies,
                     Matching matching, Admission admission, ClusterBus bus, Reputation reputation) {
        this.reputation = reputation;
        this.connections = connections;
        this.pairings = pairings;
        this.metrics = metrics;
        this.replies = replies;
        this.matching = matching;
        this.admission = admission;
        this.bus = bus;
    }

    @Override
    public boolean signal(String to, String from, String frame) {
        Connection target = connections.get(to);
        if (target == null || !target.isOpen()) {
            return false;
        }
        if (pairings.pairing(to, from) == null) {
            // Never relayed to a peer that was not matched with the sender, whoever published it.
            metrics.error(ErrorCode.NOT_PAIRED);
            return true;
        }
        metrics.signalsRelayed.increment();
        if (!target.sendIfRoom(frame)) {
            metrics.signalsRelayed.decrement();
            metrics.error(ErrorCode.PEER_BUSY);
        }
        return true;
    }

    @Override
    public void paired(String asker, String askerHome, String holder, String reason) {
        pairings.pairAcross(holder, asker, reason, askerHome);
        // The holder may have left while this was on its way: then its departure did not see
        // the pairing, and the asker hears it from here (whichever drops the pairing tells).
        if (!connections.containsKey(holder) && pairings.forget(holder, asker)) {
            String home = bus.homeOf(asker);
            if (home != null) {
                bus.gone(home, asker, holder, null);
            }
        }
    }

    @Override
    public void gone(String partner, String goneId, InetAddress goneNetwork) {
        long now = System.nanoTime();
        forgetDeparted(partner, goneId, goneNetwork != null ? goneNetwork : pairings.networkOf(goneId), now);
        matching.tellPartnerGone(partner, goneId, now);
    }

    /**
     * Drops the pairing of {@code local} with {@code gone}, which left another server; with its
     * network known (said by that server, or from its record when offered here), {@code local}
     * may still report or confirm it for a while, as one that left here. False when not paired.
     */
    private boolean forgetDeparted(String local, String gone, InetAddress network, long now) {
        return network != null ? pairings.forgetDeparted(local, new Reputation.Party(gone, network, now), now)
                : pairings.forget(local, gone);
    }

    @Override
    public void reported(String reporterId, InetAddress reporterNetwork, String subjectId, InetAddress subjectNetwork,
                         String resource, long ageMillis) {
        long at = System.nanoTime() - ageMillis * 1_000_000L;
        reputation.report(new Reputation.Party(reporterId, reporterNetwork, at), partyHere(subjectId, subjectNetwork, at),
                ResourceId.parse(resource), at);
    }

    @Override
    public void vouched(String voucherId, InetAddress voucherNetwork, String subjectId, InetAddress subjectNetwork,
                        long ageMillis) {
        long at = System.nanoTime() - ageMillis * 1_000_000L;
        reputation.vouch(new Reputation.Party(voucherId, voucherNetwork, at), partyHere(subjectId, subjectNetwork, at), at);
    }

    /** A peer as reputation counts it: its session if connected here, else as the other server said. */
    private Reputation.Party partyHere(String id, InetAddress network, long at) {
        PeerSession here = ConnectionState.sessionOf(connections.get(id));
        return here != null ? here.party() : new Reputation.Party(id, network, at);
    }

    @Override
    public void holderArrived(String holder, List<String> resources) {
        List<ResourceId> ids = new java.util.ArrayList<>(resources.size());
        resources.forEach(r -> ids.add(ResourceId.parse(r)));
        matching.offerRemoteHolderToWaitingAskers(holder, ids, System.nanoTime());
    }

    @Override
    public void demand(String to, String frame) {
        Connection seeder = connections.get(to);
        PeerSession session = ConnectionState.sessionOf(seeder);
        if (session != null && session.role() == PeerRole.SEEDER && seeder.isOpen()) {
            seeder.sendIfRoom(frame);
        }
    }

    @Override
    public void instanceGone(String instance) {
        long now = System.nanoTime();
        for (String[] pair : pairings.pairsWithOthers(connections::containsKey)) {
            String local = pair[0];
            String remote = pair[1];
            try {
                // Gone with its server, told as a departure: one recorded there (its pairing died with
                // that server, wherever the peer is now), or with no server alive now.
                String recorded = pairings.homeOf(remote);
                boolean gone = recorded != null ? recorded.equals(instance) : bus.homeOf(remote) == null;
                if (gone && forgetDeparted(local, remote, pairings.networkOf(remote), now)) {
                    matching.tellPartnerGone(local, remote, now);
                }
            } catch (RuntimeException e) {
                log.warn("could not tell {} that {} went with its server: {}", local, remote, e.getMessage());
            }
        }
    }

    @Override
    public void stateLost() {
        // Every peer connects again (spread over the retry hint), says hello and announces
        // what it holds: the cluster learns this server's peers anew.
        for (Connection conn : List.copyOf(connections.values())) {
            admission.refuseForNow(conn, "the servers' shared state was lost; connect again");
        }
    }

    @Override
    public void peerGone(String to, String goneId) {
        Connection conn = connections.get(to);
        if (conn != null) {
            replies.send(conn, new Message.PeerGone(goneId));
        }
    }
}
