package io.swarmkeeper.server;

import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The {@code signal} family: WebRTC offers, answers and candidates relayed between peers the
 * server matched, and only those, stamped with who sent them; a receiver that does not keep up
 * loses what others relay to it ({@code peer-busy} to the sender) rather than its connection.
 */
final class Relay {
    private final Pairings pairings;
    private final ServerMetrics metrics;
    private final Replies replies;
    /** A connected peer's connection by id, or null. */
    private final Function<String, Connection> connectionOf;

    /** The other servers of a cluster, where a peer not connected here may be; null for a server alone. */
    private final ClusterBus bus;
    /** The retry hint when the cluster's shared state cannot be reached. */
    private final LongSupplier retryAfterMs;

    Relay(Pairings pairings, ServerMetrics metrics, Replies replies, Function<String, Connection> connectionOf,
          ClusterBus bus, LongSupplier retryAfterMs) {
        this.bus = bus;
        this.retryAfterMs = retryAfterMs;
        this.pairings = pairings;
        this.metrics = metrics;
        this.replies = replies;
        this.connectionOf = connectionOf;
    }

    void onSignal(Connection conn, PeerSession session, Message.Signal signal) {
        if (signal.to() == null || signal.data() == null || !signal.data().isObject()) {
            replies.error(conn, ErrorCode.BAD_MESSAGE, "\"signal\" needs \"to\" and an object \"data\"");
            return;
        }
        String reason = pairings.pairing(session.id(), signal.to());
        if (reason == null) {
            replies.error(conn, ErrorCode.NOT_PAIRED, "not matched with peer " + Replies.abbreviate(signal.to()));
            return;
        }
        Connection target = connectionOf.apply(signal.to());
        String home = null;
        if (target == null && bus != null) {
            // Recorded when they were paired (asked of Redis only when it was not known then, and
            // kept). A recorded server no longer alive took the partner with it (its pairings there
            // are gone too); one that joined since the last heartbeat is asked about once.
            home = pairings.homeOf(signal.to());
            if (home == null) {
                home = bus.homeOf(signal.to());
                pairings.remote(signal.to(), home, null);
            } else if (!bus.isLive(home)) {
                home = null;
            }
        }
        if ((target == null || !target.isOpen()) && home == null) {
            replies.send(conn, new Message.PeerGone(signal.to()));
            return;
        }
        String relayed = MessageCodec.encode(new Message.Signal(null, session.id(), signal.data(),
                reason.isEmpty() ? null : reason, session.role(), session.wirePlace()));
        if (target == null) {
            // Connected to another server of the cluster: that one delivers it (or says it is gone).
            if (!bus.available()) {
                throw new SharedStateException("the cluster's Redis cannot be reached", null); // told to come back
            }
            metrics.signalsRelayed.increment(); // handed on; what no server took is counted by the bus
            String to = signal.to();
            bus.signal(home, to, session.id(), relayed, delivered -> {
                if (delivered == ClusterBus.Delivery.NO_SERVER) {
                    replies.send(conn, new Message.PeerGone(to));
                } else if (delivered == ClusterBus.Delivery.FAILED) {
                    replies.send(conn, new Message.Error(ErrorCode.OVERLOADED, "the servers' shared state cannot be"
                            + " reached just now; this signal was dropped", retryAfterMs.getAsLong()));
                }
            });
            return;
        }
        metrics.signalsRelayed.increment(); // before the send: a test may see the signal before the count
        if (!target.sendIfRoom(relayed)) {
            metrics.signalsRelayed.decrement();
            // The receiver reads slower than it is sent to: drop what the sender relays rather than
            // cut the receiver off for someone else's flood.
            metrics.error(ErrorCode.PEER_BUSY);
            ConnectionState c = conn.state();
            long now = System.nanoTime();
            if (c != null && now - c.lastBusyError > 1_000_000_000L) {
                c.lastBusyError = now;
                replies.send(conn, new Message.Error(ErrorCode.PEER_BUSY, "peer " + Replies.abbreviate(signal.to())
                        + " is not keeping up; this signal and others were dropped"));
            }
        }
    }
}
