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

    /** Tokens usable now. */
    int parkedCount();
}
