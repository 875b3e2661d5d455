package io.swarmkeeper.server;

import io.swarmkeeper.protocol.PeerRole;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Lets a peer that lost its connection get its id back. Each welcome carries a fresh secret
 * token for the id; a later hello with that token, within the grace period and while the id is
 * not in use, gets the id back (and a new token: each token works once). Unknown, used,
 * expired or still-in-use tokens give a fresh id. Thread-safe.
 */
final class ResumeTokens implements Resumption {
    private record Entry(String peerId, PeerRole role, String token, long expiresAtNanos) {}

    private final SecureRandom random = new SecureRandom();
    private final long graceNanos;
    /** By peer id: the token the peer holds now. */
    private final Map<String, Entry> byPeer = new HashMap<>();
    /** Peers disconnected and resumable, by token, oldest first (the grace period is constant). */
    private final Map<String, Entry> parked = new java.util.LinkedHashMap<>();

    ResumeTokens(int graceSeconds) {
        this.graceNanos = graceSeconds * 1_000_000_000L;
    }

    /** A new token for a connected peer (replacing any earlier one). */
    @Override
    public synchronized String issue(String peerId, PeerRole role) {
        byte[] secret = new byte[18];
        random.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byPeer.put(peerId, new Entry(peerId, role, token, 0));
        return token;
    }

    /** The peer's connection closed: its token becomes usable for the grace period. */
    @Override
    public synchronized void park(String peerId, long nowNanos) {
        Entry held = byPeer.remove(peerId);
        if (held != null && graceNanos > 0) {
            parked.put(held.token(), new Entry(peerId, held.role(), held.token(), nowNanos + graceNanos));
        }
        expire(nowNanos);
    }

    /** The peer id the token resumes, consuming the token; never a wait (one server knows its own peers). */
    @Override
    public synchronized Redeemed redeem(String token, long nowNanos) {
        expire(nowNanos);
        if (token == null) {
            return Redeemed.NOTHING;
        }
        Entry entry = parked.get(token);
        // Compare in constant time: the token is a secret.
        if (entry == null || !MessageDigest.isEqual(entry.token().getBytes(), token.getBytes())) {
            return Redeemed.NOTHING;
        }
        parked.remove(token);
        return new Redeemed(entry.peerId(), 0);
    }

    @Override
    public synchronized int parkedCount() {
        return parked.size();
    }

    /** Drops expired tokens from the oldest end: amortised constant time. */
    private void expire(long nowNanos) {
        for (Iterator<Entry> it = parked.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAtNanos() - nowNanos >= 0) {
                return;
            }
            it.remove();
        }
    }
}
