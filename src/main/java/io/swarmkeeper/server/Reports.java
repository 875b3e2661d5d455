package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code report} and {@code served} family: what an asker says of a holder it was offered
 * (bad bytes, a broken protocol, a stall; or verified bytes), checked against what it was
 * offered and handed to {@link Reputation}.
 */
final class Reports {
    private static final Logger log = LoggerFactory.getLogger(Reports.class);
    private final Pairings pairings;
    private final Reputation reputation;
    private final ServerMetrics metrics;
    private final Replies replies;
    /** A connected peer's session by id, or null. */
    private final Function<String, PeerSession> sessionOfPeer;
    /** In a cluster: a peer connected to another server, as reputation counts it; null when it is connected to none. */
    private final Function<String, Reputation.Party> remoteParty;
    /** The other servers, which count what this one takes; null for a server alone. */
    private final ClusterBus bus;

    Reports(Pairings pairings, Reputation reputation, ServerMetrics metrics, Replies replies,
            Function<String, PeerSession> sessionOfPeer, Function<String, Reputation.Party> remoteParty, ClusterBus bus) {
        this.pairings = pairings;
        this.reputation = reputation;
        this.metrics = metrics;
        this.replies = replies;
        this.sessionOfPeer = sessionOfPeer;
        this.remoteParty = remoteParty;
        this.bus = bus;
    }

    /** What the sender was offered of a holder, and the holder as reputation counts it. */
    private record Target(Pairings.Offered offered, Reputation.Party holder) {}

    void onReport(Connection conn, PeerSession session, Message.Report report) {
        Target target = offeredHolder(conn, session, report.peer(), "report");
        if (target == null) {
            return;
        }
        Pairings.Offered offered = target.offered();
        // A report is about a resource the reporter was offered the holder for: the one it names,
        // else the last it was offered the holder for (a peer that broke the protocol, or stalled).
        ResourceId resource;
        if (report.hash() == null) {
            resource = List.copyOf(offered.resources()).get(offered.resources().size() - 1);
        } else {
            resource = offeredResource(conn, report.peer(), report.hash(), offered);
            if (resource == null) {
                return;
            }
        }
        Reputation.Party reporter = session.party();
        Reputation.Party subject = target.holder();
        if (reputation.report(reporter, subject, resource, System.nanoTime())) {
            log.debug("{} reports {}: {} ({} reporting networks)", session.id(), report.peer(),
                    Replies.abbreviate(String.valueOf(report.reason())), reputation.reporters(report.peer()));
            if (bus != null) {
                bus.reported(reporter.id(), reporter.network(), subject.id(), subject.network(), resource.text());
            }
        }
    }

    void onServed(Connection conn, PeerSession session, Message.Served served) {
        metrics.confirmations.increment();
        Target target = offeredHolder(conn, session, served.peer(), "served");
        if (target == null
                || (served.hash() != null && offeredResource(conn, served.peer(), served.hash(), target.offered()) == null)) {
            return;
        }
        Reputation.Party voucher = session.party();
        if (reputation.vouch(voucher, target.holder(), System.nanoTime())) {
            log.debug("{} confirms verified bytes from {}", session.id(), served.peer());
            if (bus != null) {
                bus.vouched(voucher.id(), voucher.network(), target.holder().id(), target.holder().network());
            }
        }
    }

    /**
     * The resource {@code hash} names, if the sender was offered {@code peer} for it; else answers
     * {@code bad-hash} or {@code not-paired} and returns null.
     */
    private ResourceId offeredResource(Connection conn, String peer, String hash, Pairings.Offered offered) {
        if (!ResourceId.isValid(hash)) {
            replies.error(conn, ErrorCode.BAD_HASH, "not a resource id: " + Replies.abbreviate(hash));
            return null;
        }
        ResourceId resource = ResourceId.parse(hash);
        if (!offered.resources().contains(resource)) {
            replies.error(conn, ErrorCode.NOT_PAIRED, "you were not offered " + Replies.abbreviate(peer) + " for " + Replies.abbreviate(hash));
            return null;
        }
        return resource;
    }

    /**
     * What the sender of a {@code report} or {@code served} was offered of {@code peer}, if it
     * asked and was offered it (the holder may have left since, within minutes), with the holder;
     * else answers not-paired.
     */
    private Target offeredHolder(Connection conn, PeerSession session, String peer, String type) {
        if (peer == null) {
            replies.error(conn, ErrorCode.BAD_MESSAGE, "\"" + type + "\" needs \"peer\"");
            return null;
        }
        Pairings.Offered offered = pairings.offered(session.id(), peer, System.nanoTime());
        Reputation.Party holder = offered == null ? null : partyOf(peer, offered);
        if (holder == null) {
            replies.error(conn, ErrorCode.NOT_PAIRED, "you were not offered " + Replies.abbreviate(peer) + " as a holder");
            return null;
        }
        return new Target(offered, holder);
    }

    /**
     * A holder as reputation counts it: from its session here, as it was when it left, or (in a
     * cluster) from its record on another server; null when none of these is known.
     */
    private Reputation.Party partyOf(String peerId, Pairings.Offered offered) {
        PeerSession s = sessionOfPeer.apply(peerId);
        if (s != null) {
            return s.party();
        }
        return offered.departedHolder() != null ? offered.departedHolder() : remoteParty.apply(peerId);
    }
}
