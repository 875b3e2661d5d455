package io.swarmkeeper.server;

import java.net.InetAddress;

/** The signaling logic's state of one connection, from the moment it opens. */
final class ConnectionState {
    final InetAddress address;
    /** The address the peer is placed by: a trusted proxy's word on it, else {@link #address}; may be null. */
    InetAddress client;
    /** The network its holdings count against (the address; IPv6: its /64). */
    final InetAddress network;
    final TokenBucket bucket;
    final long openedNanos = System.nanoTime();
    /** Last sign of life: any frame or pong (written by the event loops, read by the heartbeat). */
    volatile long lastHeardNanos = openedNanos;
    /** When the heartbeat last pinged it; 0 before the first ping (heartbeat thread only). */
    long lastPingNanos;
    int dropped;
    long lastRateError;
    long lastBusyError;
    /** Presented a peer token at the upgrade. */
    boolean tokenPresented;
    PeerSession session; // guarded by this
    boolean gone;        // guarded by this
    /** Where its handlers run in a cluster (they wait for Redis); null for a server alone. */
    Lane lane;

    ConnectionState(InetAddress address, TokenBucket bucket) {
        this.address = address;
        this.network = AcceptGate.networkOf(address);
        this.bucket = bucket;
    }

    /** The session once welcomed, else null. */
    synchronized PeerSession session() {
        return session;
    }

    /** The session of {@code conn}, if it is a connection that was welcomed; null otherwise (or for null). */
    static PeerSession sessionOf(Connection conn) {
        ConnectionState state = conn == null ? null : conn.state();
        return state == null ? null : state.session();
    }
}
