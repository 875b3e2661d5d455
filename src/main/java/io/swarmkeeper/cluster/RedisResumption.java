package io.swarmkeeper.cluster;

import io.lettuce.core.ScriptOutputType;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.server.Resumption;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Resume tokens valid on every server of a cluster. Redis keeps only each token's SHA-256 (a
 * copy of Redis gives nobody a usable token): {@code sk:tokenof:{peer}} → the hash of the token
 * its last welcome carried; {@code sk:token:{hash}} → the peer, while it is connected;
 * {@code sk:resume:{hash}} → the peer, once parked, expiring with the grace period (also parked
 * by {@link RedisCluster}'s clean-up for the peers of an instance that stopped beating);
 * {@code sk:parked} (sorted set: hash → expiry) counts them. Redeeming deletes the token: it works
 * once, on whichever server the peer reached.
 */
public final class RedisResumption implements Resumption {
    private static final String P = RedisCluster.PREFIX;
    private final RedisCluster cluster;
    private final long graceMs;
    private final SecureRandom random = new SecureRandom();

    public RedisResumption(RedisCluster cluster, int graceSeconds) {
        this.cluster = cluster;
        this.graceMs = graceSeconds * 1000L;
        cluster.resumeGraceMs(graceMs);
    }

    private static final String ISSUE = """
            -- KEYS[1] sk:tokenof:{peer}; ARGV[1] peer, ARGV[2] new hash, ARGV[3] prefix
            local old = redis.call('GET', KEYS[1])
            if old then redis.call('DEL', ARGV[3] .. 'token:' .. old) end
            redis.call('SET', KEYS[1], ARGV[2])
            redis.call('SET', ARGV[3] .. 'token:' .. ARGV[2], ARGV[1])
            return 1
            """;

    @Override
    public String issue(String peerId, PeerRole role) {
        byte[] secret = new byte[18];
        random.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        cluster.script(ISSUE, ScriptOutputType.INTEGER, new String[] {P + "tokenof:" + peerId}, peerId, hash(token), P);
        return token;
    }

    /** The same parking as {@link RedisCluster}'s clean-up does for the peers of a dead instance. */
    private static final String PARK = """
            -- KEYS[1] sk:tokenof:{peer}; ARGV[1] peer, ARGV[2] grace ms, ARGV[3] prefix
            return park_token(ARGV[3], ARGV[1], tonumber(ARGV[2]))
            """;

    /** Parks the peer's token; while Redis cannot be reached the token is lost (the peer gets a fresh id). */
    @Override
    public void park(String peerId, long nowNanos) {
        try {
            cluster.script(PARK, ScriptOutputType.INTEGER, new String[] {P + "tokenof:" + peerId}, peerId,
                    String.valueOf(graceMs), P);
        } catch (io.swarmkeeper.server.SharedStateException e) {
            // said in the log by the beat; nothing else to do
        }
    }

    private static final String REDEEM = """
            -- KEYS[1] sk:resume:{hash}, KEYS[2] sk:token:{hash}; ARGV[1] hash, ARGV[2] prefix, ARGV[3] this instance.
            -- Returns {peer, 0} when the token was parked (consumed now), {'', ms} when its peer is
            -- still recorded on another instance whose heartbeat key lives that much longer, else {'', 0}.
            local peer = redis.call('GET', KEYS[1])
            if peer then
              redis.call('DEL', KEYS[1])
              redis.call('ZREM', ARGV[2] .. 'parked', ARGV[1])
              return {peer, 0}
            end
            local connected = redis.call('GET', KEYS[2])
            if not connected then return {'', 0} end
            local home = redis.call('HGET', ARGV[2] .. 'peer:' .. connected, 'i')
            if not home or home == ARGV[3] then return {'', 0} end
            local left = redis.call('PTTL', ARGV[2] .. 'inst:' .. home)
            if left < 0 then return {'', 0} end
            return {'', left}
            """;

    /**
     * One round trip: the parked token's peer, consumed; or, when the token's peer is still
     * recorded on another instance, the time until that instance is seen dead if it stopped
     * beating (its key's TTL) plus a margin for the clean-up. A peer connected elsewhere that is
     * alive is told to wait too: harmless to a thief, and the owner keeps its id.
     */
    @Override
    public Redeemed redeem(String token, long nowNanos) {
        if (token == null || token.isEmpty() || token.length() > 256) {
            return Redeemed.NOTHING;
        }
        String h = hash(token);
        List<Object> answer = cluster.script(REDEEM, ScriptOutputType.MULTI,
                new String[] {P + "resume:" + h, P + "token:" + h}, h, P, cluster.instance());
        String peer = String.valueOf(answer.get(0));
        long left = ((Number) answer.get(1)).longValue();
        if (!peer.isEmpty()) {
            return new Redeemed(peer, 0);
        }
        return left <= 0 ? Redeemed.NOTHING : new Redeemed(null, left + cluster.timing().beat().toMillis() + 250);
    }

    private static final String PARKED = """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms())
            return redis.call('ZCARD', KEYS[1])
            """;

    /** Tokens parked in the whole cluster and not expired. */
    @Override
    public int parkedCount() {
        long n = cluster.script(PARKED, ScriptOutputType.INTEGER, new String[] {P + "parked"});
        return (int) n;
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
