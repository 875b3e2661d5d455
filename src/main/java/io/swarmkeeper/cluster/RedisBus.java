package io.swarmkeeper.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.server.ClusterBus;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routing between the instances of a cluster over Redis pub/sub: one channel per instance,
 * {@code sk:to:{instance}}, on which the others publish what is for its peers. Pub/sub rather
 * than streams: a WebRTC signal is stale within seconds, so nothing is worth storing for an
 * instance that is away, and Redis delivers one channel's messages in the order they were
 * published, which keeps each pair's signals in order (each instance publishes on one connection).
 *
 * <p>A message is one JSON object: {@code k} its kind ({@code signal}, {@code paired},
 * {@code gone}, {@code peer-gone}, {@code holder}, {@code demand}), {@code to}, {@code from},
 * {@code fh} (the sending instance), and per kind the frame {@code f}, the pairing's reason
 * {@code r}, the network {@code n} of the peer that left, or the resources {@code h} a holder
 * announced. Reports and confirmations ({@code report}, {@code served}: the networks {@code fn}
 * and {@code tn} of reporter and subject) go to every instance on {@code sk:all} and into the
 * stream {@code sk:reputation}, which an instance reads back when it starts: they matter for an
 * hour or a day, unlike a signal. What arrives is handed to the server on one thread, in order.
 */
public final class RedisBus implements ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(RedisBus.class);
    private final RedisCluster cluster;
    private final RedisPeerDirectory directory;
    private final ExecutorService inboxThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cluster-inbox");
        t.setDaemon(true);
        return t;
    });
    private StatefulRedisPubSubConnection<String, String> subscription;
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder undelivered = new LongAdder();

    public RedisBus(RedisCluster cluster, RedisPeerDirectory directory) {
        this.cluster = cluster;
        this.directory = directory;
        cluster.onBeat(this::shareLeftovers);
    }

    @Override
    public String instance() {
        return cluster.instance();
    }

    @Override
    public String homeOf(String peerId) {
        String home = directory.homeOf(peerId);
        return home == null || home.equals(cluster.instance()) ? null : home;
    }

    @Override
    public boolean isLive(String instance) {
        return cluster.isLive(instance);
    }

    @Override
    public void signal(String home, String to, String from, String frame, Consumer<Delivery> outcome) {
        ObjectNode m = message("signal", to, from);
        m.put("f", frame);
        publish(home, m, outcome);
    }

    /**
     * Waits for Redis (on a lane, never a network loop): the match must not go out unless the
     * holder's server will know the pair (else the asker's signals would be dropped there unsaid).
     */
    @Override
    public void paired(String home, String asker, String holder, String reason) {
        ObjectNode m = message("paired", holder, asker);
        if (reason != null) {
            m.put("r", reason);
        }
        sent.increment();
        if (cluster.call(() -> cluster.redis().publish(channel(home), m.toString())) == 0) {
            undelivered.increment();
        }
    }

    @Override
    public void gone(String home, String partner, String goneId, InetAddress goneNetwork) {
        ObjectNode m = message("gone", partner, goneId);
        if (goneNetwork != null) {
            m.put("n", goneNetwork.getHostAddress());
        }
        publish(home, m);
    }

    @Override
    public void demand(String home, String to, String frame) {
        ObjectNode m = message("demand", to, "server");
        m.put("f", frame);
        publish(home, m);
    }

    @Override
    public List<String[]> someSeeders(int n) {
        return directory.someSeeders(n);
    }

    private static final String WAITING = """
            -- KEYS[1] the instances whose peers wait for a resource; ARGV[1] this instance, ARGV[2] seconds
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return 1
            """;

    /**
     * Notes in {@code sk:w:{resource}} that peers here wait for it, for as long as a want stays
     * open; the directory's add-holdings script reads it (a stale entry costs one message that
     * finds nobody waiting).
     */
    @Override
    public void waiting(String resource, int seconds) {
        cluster.script(WAITING, ScriptOutputType.INTEGER, new String[] {RedisCluster.PREFIX + "w:" + resource},
                cluster.instance(), String.valueOf(Math.max(1, seconds)));
    }

    /** Reports and confirmations, kept for servers that start later (the last {@link #REPUTATION_LOG_ENTRIES}; a day's are read back). */
    static final String REPUTATION_LOG = RedisCluster.PREFIX + "reputation";
    /** Entries kept in {@link #REPUTATION_LOG} (approximately: trimmed by whole nodes). */
    static final int REPUTATION_LOG_ENTRIES = 200_000;
    /** The channel every instance listens to, besides its own. */
    static final String EVERYONE = RedisCluster.PREFIX + "all";

    private static final String SHARE = """
            -- KEYS[1] the reputation log, KEYS[2] everyone's channel; ARGV[1] the event, ARGV[2] entries kept
            redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
            redis.call('PUBLISH', KEYS[2], ARGV[1])
            return 1
            """;

    @Override
    public void reported(String reporterId, InetAddress reporterNetwork, String subjectId, InetAddress subjectNetwork,
                         String resource) {
        ObjectNode m = reputationEvent("report", reporterId, reporterNetwork, subjectId, subjectNetwork);
        m.put("h", resource);
        share(m);
    }

    @Override
    public void vouched(String voucherId, InetAddress voucherNetwork, String subjectId, InetAddress subjectNetwork) {
        share(reputationEvent("served", voucherId, voucherNetwork, subjectId, subjectNetwork));
    }

    private ObjectNode reputationEvent(String kind, String fromId, InetAddress fromNetwork, String subjectId,
                                       InetAddress subjectNetwork) {
        ObjectNode m = message(kind, subjectId, fromId);
        m.put("fn", fromNetwork.getHostAddress());
        m.put("tn", subjectNetwork.getHostAddress());
        return m;
    }

    /** Events taken here that Redis did not take (it was away): shared after the next good beat. */
    private final java.util.Queue<String> unshared = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger unsharedCount = new java.util.concurrent.atomic.AtomicInteger();
    static final int MAX_UNSHARED = 10_000;

    /**
     * Into the log and to every instance at once, in one step. While Redis is away the event waits
     * here (up to {@link #MAX_UNSHARED}): this server counted it already, and a peer that sends it
     * again is not counted twice, so it would never be shared otherwise.
     */
    private void share(ObjectNode event) {
        String text = event.toString();
        try {
            shareNow(text);
        } catch (io.swarmkeeper.server.SharedStateException e) {
            if (unsharedCount.incrementAndGet() <= MAX_UNSHARED) {
                unshared.add(text);
            } else {
                unsharedCount.decrementAndGet();
            }
        }
    }

    private void shareNow(String text) {
        cluster.script(SHARE, ScriptOutputType.INTEGER, new String[] {REPUTATION_LOG, EVERYONE}, text,
                String.valueOf(REPUTATION_LOG_ENTRIES));
        sent.increment();
    }

    /** After a beat that reached Redis: the events it did not take before. */
    private void shareLeftovers() {
        for (String text; (text = unshared.peek()) != null; ) {
            try {
                shareNow(text);
            } catch (io.swarmkeeper.server.SharedStateException e) {
                return; // next beat
            }
            unshared.poll();
            unsharedCount.decrementAndGet();
        }
    }

    private ObjectNode message(String kind, String to, String from) {
        ObjectNode m = MessageCodec.mapper().createObjectNode();
        m.put("k", kind);
        m.put("to", to);
        m.put("from", from);
        m.put("fh", cluster.instance());
        return m;
    }

    private void publish(String home, ObjectNode m) {
        publish(home, m, null);
    }

    /**
     * Publishes without waiting for Redis's answer (the callers include the network loops, which
     * must not wait; one connection keeps the order of what is sent); {@code outcome} (may be
     * null) hears on Lettuce's thread whether an instance subscribed to {@code home}'s channel
     * took it.
     */
    private void publish(String home, ObjectNode m, Consumer<Delivery> outcome) {
        sent.increment();
        cluster.<Long>send(redis -> redis.publish(channel(home), m.toString()), receivers -> {
            Delivery d = receivers == null ? Delivery.FAILED : receivers == 0 ? Delivery.NO_SERVER : Delivery.SENT;
            if (d != Delivery.SENT) {
                undelivered.increment();
            }
            if (outcome != null) {
                outcome.accept(d);
            }
        });
    }

    private static String channel(String instance) {
        return RedisCluster.PREFIX + "to:" + instance;
    }

    @Override
    public boolean available() {
        return cluster.beatFailures() == 0;
    }

    @Override
    public String prometheus() {
        StringBuilder out = new StringBuilder();
        line(out, "swarmkeeper_redis_up", "gauge", "1 while this server reaches the cluster's Redis.", available() ? 1 : 0);
        line(out, "swarmkeeper_redis_failures_total", "counter", "Redis calls that failed.", cluster.failures());
        line(out, "swarmkeeper_redis_round_trip_seconds", "gauge", "Round trip of the last heartbeat to Redis.",
                cluster.roundTripMicros() / 1e6);
        line(out, "swarmkeeper_cluster_instances", "gauge", "Servers of the cluster alive, this one included.",
                cluster.liveInstances().size());
        line(out, "swarmkeeper_cluster_routed_sent_total", "counter", "Messages sent to other servers.", sent());
        line(out, "swarmkeeper_cluster_routed_received_total", "counter", "Messages received from other servers.", received());
        line(out, "swarmkeeper_cluster_undelivered_total", "counter", "Messages for a server that was gone.", undelivered());
        line(out, "swarmkeeper_cluster_state_lost_total", "counter",
                "Times the cluster had forgotten this server and its peers were asked to connect again.", cluster.stateLost());
        line(out, "swarmkeeper_cluster_janitor_peers_total", "counter", "Peers of dead servers this one removed.",
                cluster.janitorPeers());
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String type, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value))
                .append('\n');
    }

    @Override
    public ObjectNode stats() {
        ObjectNode out = MessageCodec.mapper().createObjectNode();
        out.put("instance", cluster.instance());
        out.put("redisUp", available());
        out.put("redisRoundTripMs", cluster.roundTripMicros() / 1000.0);
        if (cluster.lastError() != null) {
            out.put("redisLastError", cluster.lastError());
        }
        ObjectNode instances = out.putObject("peersByInstance");
        try {
            for (String i : cluster.liveInstances()) {
                instances.put(i, cluster.call(() -> cluster.redis().scard(RedisCluster.PREFIX + "inst:" + i + ":peers")));
            }
        } catch (io.swarmkeeper.server.SharedStateException e) {
            out.put("peersByInstanceError", e.getMessage());
        }
        out.put("routedSent", sent());
        out.put("routedReceived", received());
        out.put("undelivered", undelivered());
        out.put("stateLost", cluster.stateLost());
        return out;
    }

    @Override
    public void start(Inbox inbox) {
        cluster.onInstanceDead(dead -> {
            try {
                inboxThread.execute(() -> inbox.instanceGone(dead));
            } catch (RejectedExecutionException closing) {
                // closing
            }
        });
        cluster.onStateLost(() -> {
            try {
                inboxThread.execute(inbox::stateLost);
            } catch (RejectedExecutionException closing) {
                // closing
            }
        });
        subscription = cluster.client().connectPubSub();
        subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String text) {
                // Lettuce's own thread: nothing that waits runs here.
                try {
                    inboxThread.execute(() -> deliver(inbox, text));
                } catch (RejectedExecutionException closed) {
                    // closing
                }
            }
        });
        subscription.sync().subscribe(channel(cluster.instance()), EVERYONE);
        // What was reported before this instance started: after subscribing, so that nothing
        // falls between (an event both read back and heard counts once: reputation keeps one of
        // each); on a thread of its own, so that signals for this server's peers do not wait behind it.
        Thread readBack = new Thread(() -> readBackReputation(inbox), "cluster-read-back");
        readBack.setDaemon(true);
        readBack.start();
    }

    /** How long reports and confirmations count (server.Reputation): older ones are not read back. */
    static final long REPORTS_COUNT_MS = 3_600_000L;
    static final long CONFIRMATIONS_COUNT_MS = 24 * REPORTS_COUNT_MS;

    /**
     * Reads the reputation log back from a day ago, oldest first, each event as old as its entry's
     * id says; reports older than an hour are skipped (they no longer count).
     */
    private void readBackReputation(Inbox inbox) {
        try {
            List<String> time = cluster.call(() -> cluster.redis().time());
            long nowMs = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
            Range<String> range = Range.from(Range.Boundary.including((nowMs - CONFIRMATIONS_COUNT_MS) + "-0"),
                    Range.Boundary.unbounded());
            int read = 0;
            while (true) {
                Range<String> page = range;
                List<StreamMessage<String, String>> entries = cluster.call(
                        () -> cluster.redis().xrange(REPUTATION_LOG, page, Limit.from(1000)));
                for (StreamMessage<String, String> entry : entries) {
                    long atMs = Long.parseLong(entry.getId().substring(0, entry.getId().indexOf('-')));
                    deliver(inbox, entry.getBody().get("e"), Math.max(0, nowMs - atMs));
                }
                read += entries.size();
                if (entries.size() < 1000) {
                    break;
                }
                String last = entries.get(entries.size() - 1).getId();
                range = Range.from(Range.Boundary.excluding(last), Range.Boundary.unbounded());
            }
            if (read > 0) {
                log.info("cluster: read back {} reports and confirmations of the other servers", read);
            }
        } catch (RuntimeException e) {
            log.warn("cluster: could not read back the servers' reports: {}", e.toString());
        }
    }

    private void deliver(Inbox inbox, String text) {
        deliver(inbox, text, 0);
    }

    /** Hands one message to the server; {@code ageMillis}: how old a reputation event read back is. */
    private void deliver(Inbox inbox, String text, long ageMillis) {
        received.increment();
        try {
            JsonNode m = MessageCodec.mapper().readTree(text);
            String to = m.path("to").asText(null);
            String from = m.path("from").asText(null);
            if (to == null || from == null) {
                log.warn("cluster: a message without \"to\" or \"from\" dropped: {}", text.length() > 200 ? text.substring(0, 200) : text);
                return;
            }
            String kind = m.path("k").asText("");
            if ((kind.equals("report") || kind.equals("served")) && cluster.instance().equals(m.path("fh").asText())) {
                return; // this instance's own, counted when it took it
            }
            if (kind.equals("report") && ageMillis > REPORTS_COUNT_MS) {
                return; // read back, and too old to count
            }
            switch (kind) {
                case "signal" -> {
                    if (!inbox.signal(to, from, m.path("f").asText())) {
                        ObjectNode back = message("peer-gone", from, to);
                        publish(m.path("fh").asText(), back);
                    }
                }
                case "paired" -> inbox.paired(from, m.path("fh").asText(null), to, m.hasNonNull("r") ? m.get("r").asText() : null);
                case "gone" -> inbox.gone(to, from, RedisPeerDirectory.network(m.path("n").asText(null)));
                case "report" -> {
                    InetAddress fromNetwork = RedisPeerDirectory.network(m.path("fn").asText(null));
                    InetAddress toNetwork = RedisPeerDirectory.network(m.path("tn").asText(null));
                    if (fromNetwork != null && toNetwork != null && ResourceId.isValid(m.path("h").asText(""))) {
                        inbox.reported(from, fromNetwork, to, toNetwork, m.path("h").asText(), ageMillis);
                    }
                }
                case "served" -> {
                    InetAddress fromNetwork = RedisPeerDirectory.network(m.path("fn").asText(null));
                    InetAddress toNetwork = RedisPeerDirectory.network(m.path("tn").asText(null));
                    if (fromNetwork != null && toNetwork != null) {
                        inbox.vouched(from, fromNetwork, to, toNetwork, ageMillis);
                    }
                }
                case "holder" -> {
                    List<String> ids = new ArrayList<>();
                    m.path("h").forEach(h -> {
                        if (ResourceId.isValid(h.asText(""))) {
                            ids.add(h.asText());
                        }
                    });
                    if (!ids.isEmpty()) {
                        inbox.holderArrived(from, ids);
                    }
                }
                case "demand" -> inbox.demand(to, m.path("f").asText());
                case "peer-gone" -> inbox.peerGone(to, from);
                default -> log.warn("cluster: a message of unknown kind dropped: {}", m.path("k").asText());
            }
        } catch (Exception e) {
            log.warn("cluster: could not handle a message from another instance: {}", e.toString());
        }
    }

    /** Messages published to other instances, received from them, and published to an instance that was gone. */
    public long sent() {
        return sent.sum();
    }

    public long received() {
        return received.sum();
    }

    public long undelivered() {
        return undelivered.sum();
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
        inboxThread.shutdownNow();
        cluster.close();
    }
}
