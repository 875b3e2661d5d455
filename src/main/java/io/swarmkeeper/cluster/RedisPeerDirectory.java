package io.swarmkeeper.cluster;

import io.lettuce.core.ScriptOutputType;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.geo.Asn;
import io.swarmkeeper.geo.GeoPoint;
import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.server.PeerDirectory;
import io.swarmkeeper.server.PeerRecord;
import io.swarmkeeper.server.SharedStateException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The directory of a cluster of signaling servers, kept in Redis: every instance sees the peers
 * and holdings of all, and those of an instance that stopped beating drop out at once (and are
 * removed by {@link RedisCluster}'s clean-up soon after).
 *
 * <p>Keys: {@code sk:peer:{id}} (hash: {@code i} home instance, {@code r} role, and the place:
 * {@code lat}, {@code lon}, {@code city}, {@code cc}, {@code asn}, {@code org}, {@code b}, and its
 * network {@code n}),
 * {@code sk:held:{id}} (set of resource ids), {@code sk:holders:{resource}} (set of peer ids),
 * {@code sk:holdings} (counter of all holdings), {@code sk:seeders} (set of seeders' ids), and
 * the instance's {@code sk:inst:{i}:peers}.
 * Each call is one Lua script: one round trip, atomic. A peer's record and holdings are written
 * only by its home instance.
 */
public final class RedisPeerDirectory implements PeerDirectory {
    private static final String P = RedisCluster.PREFIX;
    private final RedisCluster cluster;

    public RedisPeerDirectory(RedisCluster cluster) {
        this.cluster = cluster;
    }

    private static final String ADD = """
            -- KEYS[1] peer hash, KEYS[2] the instance's peer set, KEYS[3] the seeders; ARGV: id, then
            -- field/value pairs ('i' home, 'r' role first)
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], unpack(ARGV, 2))
            redis.call('SADD', KEYS[2], ARGV[1])
            if ARGV[5] == 'seeder' then redis.call('SADD', KEYS[3], ARGV[1]) else redis.call('SREM', KEYS[3], ARGV[1]) end
            return 1
            """;

    @Override
    public void add(PeerRecord peer) {
        List<String> args = new ArrayList<>();
        args.add(peer.id());
        args.add("i");
        args.add(cluster.instance());
        args.add("r");
        args.add(peer.role().wireName());
        PeerPlace place = peer.place();
        if (place.point() != null) {
            put(args, "lat", String.valueOf(place.point().latitude()));
            put(args, "lon", String.valueOf(place.point().longitude()));
        }
        put(args, "city", place.city());
        put(args, "cc", place.country());
        if (place.asn() != null) {
            put(args, "asn", String.valueOf(place.asn().number()));
            put(args, "org", place.asn().organisation());
        }
        if (place.fromBrowser()) {
            put(args, "b", "1");
        }
        if (peer.network() != null) {
            put(args, "n", peer.network().getHostAddress());
        }
        cluster.script(ADD, ScriptOutputType.INTEGER, new String[] {peerKey(peer.id()), instancePeers(), P + "seeders"},
                args.toArray(String[]::new));
    }

    private static void put(List<String> args, String field, String value) {
        if (value != null) {
            args.add(field);
            args.add(value);
        }
    }

    private static final String REMOVE = """
            -- KEYS[1] peer hash, KEYS[2] its holdings, KEYS[3] the instance's peer set; ARGV[1] id, ARGV[2] prefix
            return remove_peer(ARGV[2], ARGV[1], KEYS[3])
            """;

    /**
     * Forgets the peer. While Redis cannot be reached the removal is made again once Redis answers
     * (its record must not outlive it: others would be offered a holder that left).
     */
    @Override
    public int remove(String peerId) {
        try {
            return removeNow(peerId);
        } catch (SharedStateException e) {
            cluster.retryWhenBack(() -> removeNow(peerId));
            return 0;
        }
    }

    private int removeNow(String peerId) {
        long removed = cluster.script(REMOVE, ScriptOutputType.INTEGER,
                new String[] {peerKey(peerId), heldKey(peerId), instancePeers()}, peerId, P);
        return (int) removed;
    }

    @Override
    public Optional<PeerRecord> find(String peerId) {
        java.util.Map<String, String> fields = cluster.call(() -> cluster.redis().hgetall(peerKey(peerId)));
        if (fields.isEmpty() || !cluster.isLive(fields.get("i"))) {
            return Optional.empty();
        }
        return Optional.of(record(peerId, fields));
    }

    private static final String ADD_HOLDINGS = """
            -- KEYS[1] peer hash, KEYS[2] its holdings; ARGV[1] id, ARGV[2] prefix, ARGV[3..] resources.
            -- Instances whose peers wait for a resource now held (w:{resource}, see RedisBus.waiting)
            -- hear of the holder on their channel, in the same step: no round trip more.
            local home = redis.call('HGET', KEYS[1], 'i')
            if not home then return 0 end
            local added = 0
            local tell = {}
            for i = 3, #ARGV do
              if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
                redis.call('SADD', ARGV[2] .. 'holders:' .. ARGV[i], ARGV[1])
                added = added + 1
                for _, inst in ipairs(redis.call('SMEMBERS', ARGV[2] .. 'w:' .. ARGV[i])) do
                  if inst ~= home then
                    tell[inst] = tell[inst] or {}
                    table.insert(tell[inst], ARGV[i])
                  end
                end
              end
            end
            if added > 0 then redis.call('INCRBY', ARGV[2] .. 'holdings', added) end
            for inst, ids in pairs(tell) do
              redis.call('PUBLISH', ARGV[2] .. 'to:' .. inst,
                  cjson.encode({k = 'holder', to = '*', from = ARGV[1], fh = home, h = ids}))
            end
            return added
            """;

    @Override
    public int addHoldings(String peerId, Collection<ResourceId> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        long added = cluster.script(ADD_HOLDINGS, ScriptOutputType.INTEGER, new String[] {peerKey(peerId), heldKey(peerId)},
                holdingArgs(peerId, ids));
        return (int) added;
    }

    private static final String REMOVE_HOLDINGS = """
            -- KEYS[1] the peer's holdings; ARGV[1] id, ARGV[2] prefix, ARGV[3..] resources
            local removed = 0
            for i = 3, #ARGV do
              if redis.call('SREM', KEYS[1], ARGV[i]) == 1 then
                redis.call('SREM', ARGV[2] .. 'holders:' .. ARGV[i], ARGV[1])
                removed = removed + 1
              end
            end
            if removed > 0 then redis.call('DECRBY', ARGV[2] .. 'holdings', removed) end
            return removed
            """;

    @Override
    public int removeHoldings(String peerId, Collection<ResourceId> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        long removed = cluster.script(REMOVE_HOLDINGS, ScriptOutputType.INTEGER, new String[] {heldKey(peerId)},
                holdingArgs(peerId, ids));
        return (int) removed;
    }

    private static String[] holdingArgs(String peerId, Collection<ResourceId> ids) {
        String[] args = new String[ids.size() + 2];
        args[0] = peerId;
        args[1] = P;
        int i = 2;
        for (ResourceId id : ids) {
            args[i++] = id.text();
        }
        return args;
    }

    @Override
    public int holdingCount(String peerId) {
        return cluster.call(() -> cluster.redis().scard(heldKey(peerId))).intValue();
    }

    private static final String HOLDERS = """
            -- KEYS[1] holders of a resource; ARGV[1] limit (0: all), ARGV[2] prefix
            local ids
            local limit = tonumber(ARGV[1])
            if limit > 0 and redis.call('SCARD', KEYS[1]) > limit then
              ids = redis.call('SRANDMEMBER', KEYS[1], limit)
            else
              ids = redis.call('SMEMBERS', KEYS[1])
            end
            local out = {}
            for _, id in ipairs(ids) do
              local fields = redis.call('HGETALL', ARGV[2] .. 'peer:' .. id)
              if #fields > 0 then
                table.insert(out, id)
                table.insert(out, fields)
              end
            end
            return out
            """;

    @Override
    public List<PeerRecord> holders(ResourceId id) {
        return holders(id, 0);
    }

    /**
     * At most {@code limit} live holders, a uniform sample when there are more ({@code SRANDMEMBER}:
     * distinct members); those of an instance that stopped beating are left out, so a sample may
     * come back short until the clean-up has removed them.
     */
    @Override
    public List<PeerRecord> holders(ResourceId id, int limit) {
        List<Object> flat = cluster.script(HOLDERS, ScriptOutputType.MULTI, new String[] {P + "holders:" + id.text()},
                String.valueOf(Math.max(0, limit)), P);
        List<PeerRecord> records = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            @SuppressWarnings("unchecked")
            List<Object> pairs = (List<Object>) flat.get(i + 1);
            java.util.Map<String, String> fields = new java.util.HashMap<>();
            for (int f = 0; f + 1 < pairs.size(); f += 2) {
                fields.put(String.valueOf(pairs.get(f)), String.valueOf(pairs.get(f + 1)));
            }
            if (cluster.isLive(fields.get("i"))) {
                String peerId = String.valueOf(flat.get(i));
                records.add(record(peerId, fields));
                seenHome(peerId, fields.get("i"));
            }
        }
        return records;
    }

    /** Peers of the live instances. */
    @Override
    public int size() {
        long peers = 0;
        for (String instance : cluster.liveInstances()) {
            peers += cluster.call(() -> cluster.redis().scard(P + "inst:" + instance + ":peers"));
        }
        return (int) peers;
    }

    /** Holdings of all peers in the cluster (those of a dead instance until its clean-up). */
    @Override
    public int totalHoldings() {
        String total = cluster.call(() -> cluster.redis().get(P + "holdings"));
        return total == null ? 0 : Integer.parseInt(total);
    }

    private static final String SOME_SEEDERS = """
            -- KEYS[1] the seeders; ARGV[1] how many, ARGV[2] prefix; returns id, home, id, home...
            local out = {}
            for _, id in ipairs(redis.call('SRANDMEMBER', KEYS[1], ARGV[1])) do
              local home = redis.call('HGET', ARGV[2] .. 'peer:' .. id, 'i')
              if home then
                table.insert(out, id)
                table.insert(out, home)
              end
            end
            return out
            """;

    /** Up to {@code n} seeders of live instances, at random: [id, home instance] pairs. */
    public List<String[]> someSeeders(int n) {
        List<Object> flat = cluster.script(SOME_SEEDERS, ScriptOutputType.MULTI, new String[] {P + "seeders"},
                String.valueOf(n), P);
        List<String[]> seeders = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String home = String.valueOf(flat.get(i + 1));
            if (cluster.isLive(home)) {
                seeders.add(new String[] {String.valueOf(flat.get(i)), home});
            }
        }
        return seeders;
    }

    /** A home seen in the last {@link #HOME_SEEN_NANOS}: the match that follows a lookup of holders asks Redis nothing more. */
    private record SeenHome(String instance, long atNanos) {}

    static final long HOME_SEEN_NANOS = 2_000_000_000L;
    private static final int MAX_HOMES_SEEN = 100_000;
    private final java.util.Map<String, SeenHome> homesSeen = new java.util.concurrent.ConcurrentHashMap<>();

    private void seenHome(String peerId, String instance) {
        if (homesSeen.size() >= MAX_HOMES_SEEN) {
            homesSeen.clear(); // seconds old at most: nothing of value is lost
        }
        homesSeen.put(peerId, new SeenHome(instance, System.nanoTime()));
    }

    /** The instance that holds {@code peerId}'s connection, or null when it is not connected anywhere alive. */
    public String homeOf(String peerId) {
        SeenHome seen = homesSeen.get(peerId);
        if (seen != null && System.nanoTime() - seen.atNanos() < HOME_SEEN_NANOS && cluster.isLive(seen.instance())) {
            return seen.instance();
        }
        String home = cluster.call(() -> cluster.redis().hget(peerKey(peerId), "i"));
        return home != null && cluster.isLive(home) ? home : null;
    }

    private static PeerRecord record(String id, java.util.Map<String, String> f) {
        GeoPoint point = f.containsKey("lat") && f.containsKey("lon")
                ? new GeoPoint(Double.parseDouble(f.get("lat")), Double.parseDouble(f.get("lon"))) : null;
        Asn asn = f.containsKey("asn") ? new Asn(Long.parseLong(f.get("asn")), f.get("org")) : null;
        PeerPlace place = new PeerPlace(point, f.get("city"), f.get("cc"), asn, "1".equals(f.get("b")));
        PeerRole role = PeerRole.fromWire(f.get("r"));
        return new PeerRecord(id, role, place.equals(PeerPlace.UNKNOWN) ? PeerPlace.UNKNOWN : place, network(f.get("n")));
    }

    /** A network address as stored (a literal: no name is looked up); null when none or unreadable. */
    static java.net.InetAddress network(String literal) {
        if (literal == null || literal.isEmpty() || !(Character.isDigit(literal.charAt(0)) || literal.indexOf(':') >= 0)) {
            return null;
        }
        try {
            return java.net.InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private String instancePeers() {
        return P + "inst:" + cluster.instance() + ":peers";
    }

    private static String peerKey(String peerId) {
        return P + "peer:" + peerId;
    }

    private static String heldKey(String peerId) {
        return P + "held:" + peerId;
    }
}
