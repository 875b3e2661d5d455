package io.swarmkeeper.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.swarmkeeper.server.SharedStateException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signaling server's membership of a cluster that shares its state in Redis: the connection,
 * the instance's own id, its heartbeat, which instances are alive, and the clean-up of those that
 * died (their peers and holdings are removed by whichever live instance sees them first).
 *
 * <p>Keys (all under {@code sk:}; docs/architecture.md): {@code sk:instances} (sorted set: instance
 * → last beat, Redis time in ms), {@code sk:inst:{i}} (string with a TTL: present while the
 * instance beats), {@code sk:inst:{i}:peers} (set: the peers homed there). An instance is alive
 * while its key exists; one whose key expired is dead, and a live instance that takes its janitor
 * lock removes what it left.
 *
 * <p>Redis time is used for beats, never this machine's clock, so instances on machines whose
 * clocks disagree still agree on who is alive.
 */
public final class RedisCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    static final String PREFIX = "sk:";

    /** How often an instance beats, and how long after its last beat it counts as dead. */
    public record Timing(Duration beat, Duration deadAfter) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(1), Duration.ofSeconds(5));

        public Timing {
            if (beat.isNegative() || beat.isZero() || deadAfter.compareTo(beat.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("a beat > 0 and dead-after at least two beats, got " + beat + ", " + deadAfter);
            }
        }
    }

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final io.lettuce.core.api.async.RedisAsyncCommands<String, String> async;
    private final String instance;
    private final Timing timing;
    private final ScheduledExecutorService beats;
    private final ConcurrentHashMap<String, String> scriptShas = new ConcurrentHashMap<>();
    private volatile Set<String> live = Set.of();
    private final AtomicLong beatFailures = new AtomicLong();
    private volatile String lastError;
    private final AtomicLong janitorPeers = new AtomicLong();
    private volatile boolean closing;
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    private final AtomicLong stateLost = new AtomicLong();
    private volatile long roundTripMicros = -1;
    private volatile Runnable stateLostAction = () -> {};
    private volatile java.util.function.Consumer<String> deadAction = i -> {};
    private boolean beatenOnce; // beat thread (and join) only
    /** How long the tokens of a dead instance's peers stay usable (0: resumption off). */
    private volatile long resumeGraceMs;

    private RedisCluster(RedisURI uri, Timing timing) {
        this.uri = uri;
        this.timing = timing;
        this.instance = newInstanceId();
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1).build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1)))
                .build());
        try {
            this.connection = client.connect();
        } catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            throw new IllegalStateException("cannot reach Redis at " + describe(uri) + ": " + rootMessage(e), e);
        }
        this.redis = connection.sync();
        this.async = connection.async();
        this.beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-beat");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to the Redis at {@code url} ({@code redis://[:password@]host:port[/db]}, or
     * {@code rediss://} for TLS), joins as a new instance and starts beating. Throws
     * {@link IllegalStateException} naming the server (never its password) when it cannot.
     */
    public static RedisCluster join(String url, Timing timing) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a Redis URL (redis://host:port or rediss://host:port): " + e.getMessage(), e);
        }
        uri.setTimeout(Duration.ofSeconds(1));
        RedisCluster cluster = new RedisCluster(uri, timing);
        try {
            cluster.beat();
        } catch (RuntimeException e) {
            cluster.close();
            throw new IllegalStateException("Redis at " + describe(uri) + " refused us: " + rootMessage(e), e);
        }
        long every = timing.beat().toMillis();
        cluster.beats.scheduleWithFixedDelay(cluster::beatQuietly, every, every, TimeUnit.MILLISECONDS);
        log.info("cluster: joined as instance {} through Redis at {}", cluster.instance, describe(uri));
        return cluster;
    }

    Timing timing() {
        return timing;
    }

    /** This instance's id in the cluster: new at every start. */
    public String instance() {
        return instance;
    }

    /** The instances alive at the last beat, this one included. */
    public Set<String> liveInstances() {
        return live;
    }

    /** Instances found by {@link #isLive} since the last beat began: that beat's view may predate them. */
    private final Set<String> joinedSinceBeat = ConcurrentHashMap.newKeySet();
    /** Instances seen to stop beating: not asked about again until a beat sees them alive (after a Redis restart, say). */
    private final Set<String> seenDead = ConcurrentHashMap.newKeySet();
    private static final int MAX_SEEN_DEAD = 10_000;

    /**
     * Whether {@code instance} is alive: it was at the last beat, or its key exists now (an
     * instance that joined since: asking Redis, once, rather than taking it for dead until the
     * next beat); one seen to stop beating is not asked about. This one always is, to itself.
     */
    public boolean isLive(String instance) {
        if (instance == null) {
            return false;
        }
        if (this.instance.equals(instance) || live.contains(instance)) {
            return true;
        }
        if (seenDead.contains(instance)) {
            return false;
        }
        boolean joined = call(() -> redis.exists(PREFIX + "inst:" + instance)) == 1;
        if (joined) {
            joinedSinceBeat.add(instance);
            Set<String> more = new HashSet<>(live);
            more.add(instance);
            live = Set.copyOf(more);
        }
        return joined;
    }

    /** Beats that failed in a row (0 while Redis answers), and the last failure's words. */
    public long beatFailures() {
        return beatFailures.get();
    }

    public String lastError() {
        return lastError;
    }

    /** Peers of dead instances this one removed. */
    public long janitorPeers() {
        return janitorPeers.get();
    }

    RedisCommands<String, String> redis() {
        return redis;
    }

    RedisClient client() {
        return client;
    }

    void resumeGraceMs(long ms) {
        resumeGraceMs = ms;
    }

    /**
     * Lua functions every script of ours may call (put before each: Redis 7.0's scripts cannot
     * share code otherwise). {@code p} is the key prefix.
     */
    private static final String LUA_LIBRARY = """
            local function now_ms()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            -- a peer is gone: its holdings, its record, its place in its instance's set; returns its holdings
            local function remove_peer(p, peer, instance_peers)
              local held = redis.call('SMEMBERS', p .. 'held:' .. peer)
              for _, res in ipairs(held) do redis.call('SREM', p .. 'holders:' .. res, peer) end
              if #held > 0 then redis.call('DECRBY', p .. 'holdings', #held) end
              redis.call('DEL', p .. 'held:' .. peer, p .. 'peer:' .. peer)
              redis.call('SREM', instance_peers, peer)
              redis.call('SREM', p .. 'seeders', peer)
              return #held
            end
            -- a peer's connection ended: its current token resumes it for grace ms (none when grace is 0)
            local function park_token(p, peer, grace)
              local h = redis.call('GET', p .. 'tokenof:' .. peer)
              if not h then return 0 end
              redis.call('DEL', p .. 'tokenof:' .. peer, p .. 'token:' .. h)
              if grace <= 0 then return 0 end
              redis.call('SET', p .. 'resume:' .. h, peer, 'PX', grace)
              redis.call('ZADD', p .. 'parked', now_ms() + grace, h)
              return 1
            end
            """;

    /**
     * Runs a Lua script (after {@link #LUA_LIBRARY}) by its hash, loading it first and again after
     * Redis forgot it (a restart without persistence forgets every script).
     */
    @SuppressWarnings("unchecked")
    <T> T script(String lua, ScriptOutputType type, String[] keys, String... args) {
        return call(() -> {
            String sha = scriptShas.computeIfAbsent(lua, l -> redis.scriptLoad(LUA_LIBRARY + l));
            try {
                return (T) redis.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                String again = redis.scriptLoad(LUA_LIBRARY + lua);
                scriptShas.put(lua, again);
                return (T) redis.evalsha(again, type, keys, args);
            }
        });
    }

    /**
     * Runs one Redis call; its failure (Redis unreachable, too slow, refusing) becomes a
     * {@link SharedStateException} saying which Redis, and is counted.
     */
    <T> T call(java.util.function.Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            failed(e);
            throw new SharedStateException("the cluster's Redis at " + describe(uri) + " failed: " + lastError, e);
        }
    }

    /**
     * Sends one Redis call without waiting for its answer, for a thread that must not wait (a
     * network loop): calls sent one after another, from one thread or from handlers run in turn,
     * reach Redis in that order (one connection). {@code answer} gets the reply, or null when the
     * call failed (counted as {@link #call}'s failures are), on Lettuce's thread: it must be quick.
     */
    <T> void send(java.util.function.Function<io.lettuce.core.api.async.RedisAsyncCommands<String, String>,
            io.lettuce.core.RedisFuture<T>> command, java.util.function.Consumer<T> answer) {
        io.lettuce.core.RedisFuture<T> future;
        try {
            future = command.apply(async);
        } catch (RedisException e) {
            failed(e);
            answer.accept(null);
            return;
        }
        future.whenComplete((value, error) -> {
            if (error != null) {
                failed(error);
                answer.accept(null);
            } else {
                answer.accept(value);
            }
        });
    }

    private void failed(Throwable e) {
        failures.increment();
        lastError = rootMessage(e);
    }

    /** Redis calls that failed since the start. */
    public long failures() {
        return failures.sum();
    }

    /** Round trip of the last beat, in microseconds (-1 before the first). */
    public long roundTripMicros() {
        return roundTripMicros;
    }

    /** Times this instance found the cluster had forgotten it (see {@link #onStateLost}). */
    public long stateLost() {
        return stateLost.get();
    }

    /**
     * Called on the beat's thread when the cluster has forgotten this instance: its key was gone
     * at a beat (Redis restarted without its data, or the others took it for dead while Redis was
     * away and removed its peers).
     */
    void onStateLost(Runnable action) {
        stateLostAction = action;
    }

    /** Calls Redis did not take while it was away, kept at most this many. */
    static final int MAX_RETRIES = 100_000;
    private final java.util.Queue<Runnable> retries = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger retryCount = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Keeps a call that failed because Redis was away (it throws {@link SharedStateException}
     * while Redis still is) and makes it again, in order with the others, after each beat that
     * reaches Redis until it succeeds: what must not be lost (a departed peer's record, a report
     * this instance counted already). False when {@link #MAX_RETRIES} already wait.
     */
    boolean retryWhenBack(Runnable call) {
        if (retryCount.incrementAndGet() > MAX_RETRIES) {
            retryCount.decrementAndGet();
            return false;
        }
        retries.add(call);
        return true;
    }

    private void runRetries() {
        for (Runnable call; (call = retries.peek()) != null; ) {
            try {
                call.run();
            } catch (SharedStateException e) {
                return; // away again: next beat
            }
            retries.poll();
            retryCount.decrementAndGet();
        }
    }

    /** Called on the beat's thread with each instance that was alive at the last beat and is not now. */
    void onInstanceDead(java.util.function.Consumer<String> action) {
        deadAction = action;
    }

    private static final String BEAT = """
            local known = redis.call('EXISTS', KEYS[1])
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[2], now_ms(), ARGV[3])
            local out = {tostring(known)}
            for _, i in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
              if redis.call('EXISTS', ARGV[4] .. i) == 1 then table.insert(out, i) else table.insert(out, '-' .. i) end
            end
            return out
            """;

    /** Renews this instance's key; reads who is alive; cleans up after the dead. */
    void beat() {
        long started = System.nanoTime();
        // Found by isLive before this beat reads Redis: its view will have them if they live.
        joinedSinceBeat.removeAll(Set.copyOf(joinedSinceBeat));
        List<String> members = script(BEAT, ScriptOutputType.MULTI,
                new String[] {PREFIX + "inst:" + instance, PREFIX + "instances"},
                "alive", String.valueOf(timing.deadAfter().toMillis()), instance, PREFIX + "inst:");
        roundTripMicros = (System.nanoTime() - started) / 1000;
        boolean forgotten = beatenOnce && "0".equals(members.get(0));
        beatenOnce = true;
        Set<String> alive = new HashSet<>();
        for (String m : members.subList(1, members.size())) {
            if (m.startsWith("-")) {
                sweep(m.substring(1), "stopped beating");
            } else {
                alive.add(m);
            }
        }
        // Found alive by isLive while this beat ran: its view may predate them (kept until the next
        // beat says otherwise).
        alive.addAll(joinedSinceBeat);
        seenDead.removeAll(alive);
        Set<String> before = live;
        live = Set.copyOf(alive);
        for (String gone : before) {
            if (!alive.contains(gone)) {
                if (seenDead.size() >= MAX_SEEN_DEAD) {
                    seenDead.clear();
                }
                seenDead.add(gone);
                deadAction.accept(gone);
            }
        }
        long failedBefore = beatFailures.getAndSet(0);
        if (failedBefore > 0) {
            log.info("cluster: Redis at {} answers again after {} failed beats", describe(uri), failedBefore);
        }
        if (forgotten) {
            stateLost.incrementAndGet();
            log.warn("cluster: the cluster had forgotten instance {} (Redis restarted without its data, or it was taken"
                    + " for dead): its peers are asked to connect again", instance);
            stateLostAction.run();
        }
        runRetries();
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            if (closing) {
                return;
            }
            long failures = beatFailures.incrementAndGet();
            lastError = rootMessage(e);
            if (failures == 1 || failures % 10 == 0) {
                log.warn("cluster: Redis at {} does not answer ({} beats in a row): {}", describe(uri), failures, lastError);
            }
        }
    }

    private static final String SWEEP = """
            -- KEYS[1] lock, KEYS[2] the dead instance's peer set, KEYS[3] sk:instances;
            -- ARGV[1] dead id, ARGV[2] prefix, ARGV[3] resume grace ms
            if redis.call('SET', KEYS[1], '1', 'NX', 'PX', 10000) == false then return -1 end
            local removed = 0
            for _, peer in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              if redis.call('HGET', ARGV[2] .. 'peer:' .. peer, 'i') == ARGV[1] then
                -- its token resumes it on another instance, as if its connection had closed
                park_token(ARGV[2], peer, tonumber(ARGV[3]))
                remove_peer(ARGV[2], peer, KEYS[2])
                removed = removed + 1
              end
            end
            redis.call('DEL', KEYS[2])
            redis.call('ZREM', KEYS[3], ARGV[1])
            return removed
            """;

    /** Removes what a dead instance left: its peers, their holdings, its entry. One instance does it. */
    private void sweep(String dead, String why) {
        long removed = script(SWEEP, ScriptOutputType.INTEGER,
                new String[] {PREFIX + "janitor:" + dead, PREFIX + "inst:" + dead + ":peers", PREFIX + "instances"},
                dead, PREFIX, String.valueOf(resumeGraceMs));
        if (removed >= 0) {
            janitorPeers.addAndGet(removed);
            log.info("cluster: instance {} {}; removed its {} peers", dead, why, removed);
        }
    }

    /** Stops beating without leaving, as a killed process would: for the tests of the clean-up. */
    void stopBeating() {
        closing = true;
        beats.shutdownNow();
    }

    /** Leaves the cluster: this instance's peers are removed by the directory's owner first. */
    @Override
    public void close() {
        closing = true;
        beats.shutdownNow();
        try {
            sweep(instance, "left the cluster"); // its peers may resume their ids on the others
            redis.del(PREFIX + "inst:" + instance);
            redis.zrem(PREFIX + "instances", instance);
        } catch (RuntimeException e) {
            log.debug("cluster: could not say goodbye to Redis: {}", e.getMessage());
        }
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }

    /** host:port of a Redis URL, without its password. */
    static String describe(RedisURI uri) {
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    private static String newInstanceId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append("abcdefghijklmnopqrstuvwxyz234567".charAt(random.nextInt(32)));
        }
        return id.toString();
    }
}
