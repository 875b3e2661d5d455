package io.swarmkeeper.server;

import io.swarmkeeper.protocol.PeerRole;

/**
 * Lets a peer that lost its connection get its id back with the secret token of its last welcome
 * (docs/protocol.md, "Resuming"). {@link ResumeTokens} serves one server; a cluster's
 * ({@code cluster.RedisResumption}) lets the id be resumed on any of its servers.
 */
public interface Resumption {
    /** A new token for a connected peer (replacing any earlier one). */
    String issue(String peerId, PeerRole role);

    /** The peer's connection closed: its token becomes usable for the grace period. */
    void park(String peerId, long nowNanos);

    /**
     * What a token presented in a hello gives: the id it resumes ({@code peerId}, the token then
     * consumed), or how long the peer should wait before its id can be resumed ({@code waitMs} > 0:
     * only in a cluster, when the id is still counted as connected to a server that has stopped
     * answering and will be seen dead within that time — its peers come back through a balancer
     * before the others know), or neither.
     */
    record Redeemed(String peerId, long waitMs) {
        public static final Redeemed NOTHING = new Redeemed(null, 0);
    }

    /** Redeems {@code token} (may be null), in one step. */
    Redeemed redeem(String token, long nowNanos);

    /** Tokens usable now. */
    int parkedCount();
}
