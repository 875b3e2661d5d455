package io.swarmkeeper.cluster;

import io.lettuce.core.ScriptOutputType;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.server.DemandLedger;
import java.util.List;

/**
 * Demand counted over the wants of every server of a cluster, by the rules of the server alone
 * ({@code server.DemandTracker}): different addresses that wanted a poorly held resource in the
 * last minute, the origin most of them agree on (an origin given by one asker cannot outvote the
 * others), told at most once every 30 s whichever server the wants came through. Two
 * differences, to spare Redis: wants made while the resource had enough holders are not
 * counted (the server alone counts them), and the window keeps the 256 latest askers rather
 * than the 256 latest wants.
 *
 * <p>Keys per resource, all forgotten after ten minutes without a want: {@code sk:d:{id}:a}
 * (sorted set: asker address → time of its last want), {@code sk:d:{id}:o} (hash: origin → its
 * number), {@code sk:d:{id}:o{n}} (set: askers that gave origin n), {@code sk:d:{id}:told}
 * (present while a demand was told in the last 30 s). One Lua script per want, on Redis time.
 */
public final class RedisDemandLedger implements DemandLedger {
    /** Origins remembered per resource, and askers per origin (as the server alone). */
    static final int MAX_ORIGINS = 4;
    static final int MAX_ASKERS_PER_ORIGIN = 256;
    /** Askers in the window kept per resource. */
    static final int MAX_ASKERS = 256;

    private final RedisCluster cluster;
    private final int minWants;
    private final int targetHolders;

    public RedisDemandLedger(RedisCluster cluster, int minWants, int targetHolders) {
        this.cluster = cluster;
        this.minWants = minWants;
        this.targetHolders = targetHolders;
    }

    private static final String WANT = """
            -- ARGV: prefix of the resource's keys, asker, origin ('' for none), live holders, min wants,
            -- target holders, window ms, repeat ms, forget ms, max origins, max askers per origin, max askers
            local p, asker, origin = ARGV[1], ARGV[2], ARGV[3]
            local now = now_ms()
            local forget = tonumber(ARGV[9])
            local askers = p .. ':a'
            redis.call('ZADD', askers, now, asker)
            redis.call('ZREMRANGEBYSCORE', askers, '-inf', now - tonumber(ARGV[7]))
            redis.call('ZREMRANGEBYRANK', askers, 0, -1 - tonumber(ARGV[12]))
            redis.call('PEXPIRE', askers, forget)
            local origins = p .. ':o'
            if origin ~= '' then
              local n = redis.call('HGET', origins, origin)
              if not n and redis.call('HLEN', origins) < tonumber(ARGV[10]) then
                n = tostring(redis.call('HLEN', origins))
                redis.call('HSET', origins, origin, n)
              end
              if n then
                local set = p .. ':o' .. n
                if redis.call('SCARD', set) < tonumber(ARGV[11]) then redis.call('SADD', set, asker) end
                redis.call('PEXPIRE', set, forget)
              end
            end
            if redis.call('EXISTS', origins) == 1 then redis.call('PEXPIRE', origins, forget) end
            local distinct = redis.call('ZCARD', askers)
            if tonumber(ARGV[4]) >= tonumber(ARGV[6]) or distinct < tonumber(ARGV[5]) then return false end
            local agreed, votes = nil, 0
            local all = redis.call('HGETALL', origins)
            for i = 1, #all, 2 do
              local v = redis.call('SCARD', p .. ':o' .. all[i + 1])
              if v > votes then agreed, votes = all[i], v end
            end
            if not agreed then return false end
            if not redis.call('SET', p .. ':told', '1', 'NX', 'PX', ARGV[8]) then return false end
            return {agreed, distinct}
            """;

    @Override
    public Message.Demand onWant(ResourceId id, String origin, String asker, int liveHolders) {
        if (targetHolders == 0 || liveHolders >= targetHolders) {
            // Held well enough: not demand, whatever was wanted before. Not counted either (the
            // server alone counts it toward the minute's wants): most wants are of resources
            // held well, and this spares each of them a round trip to Redis.
            return null;
        }
        List<Object> told = cluster.script(WANT, ScriptOutputType.MULTI, new String[0],
                RedisCluster.PREFIX + "d:" + id.text(), asker, DemandLedger.isWebUrl(origin) ? origin : "", String.valueOf(liveHolders),
                String.valueOf(minWants), String.valueOf(targetHolders), String.valueOf(WINDOW_MILLIS),
                String.valueOf(REPEAT_MILLIS), String.valueOf(FORGET_MILLIS), String.valueOf(MAX_ORIGINS),
                String.valueOf(MAX_ASKERS_PER_ORIGIN), String.valueOf(MAX_ASKERS));
        if (told == null || told.size() < 2) {
            return null;
        }
        return new Message.Demand(id.text(), String.valueOf(told.get(0)), ((Number) told.get(1)).intValue(), liveHolders);
    }
}
