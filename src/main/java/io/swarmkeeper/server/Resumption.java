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

    /** The peer id the token resumes, consuming the token; null when it resumes nothing. */
    String redeem(String token, long nowNanos);

    /**
     * How long a peer presenting {@code token} should wait before its id can be resumed: more than
     * zero only in a cluster, when the token's id is still counted as connected to a server that
     * has stopped answering and will be seen dead within that time (its peers come back through a
     * balancer before the others know). 0: redeem now.
     */
    default long waitBeforeRedeemMs(String token) {
        return 0;
    }

    /** Tokens usable now. */
    int parkedCount();
}
