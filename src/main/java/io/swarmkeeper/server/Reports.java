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

    Reports(Pairings pairings, Reputation reputation, ServerMetrics metrics, Replies replies,
            Function<String, PeerSession> sessionOfPeer) {
        this.pairings = pairings;
        this.reputation = reputation;
        this.metrics = metrics;
        this.replies = replies;
        this.sessionOfPeer = sessionOfPeer;
    }

    void onReport(Connection conn, PeerSession session, Message.Report report) {
        Pairings.Offered offered = offeredHolder(conn, session, report.peer(), "report");
        if (offered == null) {
            return;
        }
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
        Reputation.Party subject = partyOf(report.peer(), offered);
        if (reputation.report(session.party(), subject, resource, System.nanoTime())) {
            log.debug("{} reports {}: {} ({} reporting networks)", session.id(), report.peer(),
                    Replies.abbreviate(String.valueOf(report.reason())), reputation.reporters(report.peer()));
        }
    }

    void onServed(Connection conn, PeerSession session, Message.Served served) {
        metrics.confirmations.increment();
        Pairings.Offered offered = offeredHolder(conn, session, served.peer(), "served");
        if (offered == null || (served.hash() != null && offeredResource(conn, served.peer(), served.hash(), offered) == null)) {
            return;
        }
        if (reputation.vouch(session.party(), partyOf(served.peer(), offered), System.nanoTime())) {
            log.debug("{} confirms verified bytes from {}", session.id(), served.peer());
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
     * asked and was offered it (the holder may have left since, within minutes); else answers
     * not-paired.
     */
    private Pairings.Offered offeredHolder(Connection conn, PeerSession session, String peer, String type) {
        if (peer == null) {
            replies.error(conn, ErrorCode.BAD_MESSAGE, "\"" + type + "\" needs \"peer\"");
            return null;
        }
        Pairings.Offered offered = pairings.offered(session.id(), peer, System.nanoTime());
        if (offered == null || (offered.departedHolder() == null && sessionOfPeer.apply(peer) == null)) {
            replies.error(conn, ErrorCode.NOT_PAIRED, "you were not offered " + Replies.abbreviate(peer) + " as a holder");
            return null;
        }
        return offered;
    }

    /** What reports and confirmations need of a holder: from its session, or as it was when it left. */
    private Reputation.Party partyOf(String peerId, Pairings.Offered offered) {
        PeerSession s = sessionOfPeer.apply(peerId);
        return s != null ? s.party() : offered.departedHolder();
    }
}
