package io.swarmkeeper.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ScriptOutputType;
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
 * announced. Reports and confirmations ({@code report}, {@code served}) go to every instance
 * and into a stream read back at start ({@link RedisReputationLog}). What arrives is handed to
 * the server on one thread, in order.
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
    private final RedisReputationLog reputationLog;

    public RedisBus(RedisCluster cluster, RedisPeerDirectory directory) {
        this.cluster = cluster;
        this.directory = directory;
        this.reputationLog = new RedisReputationLog(cluster, sent);
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

    @Override
    public void reported(String reporterId, InetAddress reporterNetwork, String subjectId, InetAddress subjectNetwork,
                         String resource) {
        ObjectNode m = message("report", subjectId, reporterId);
        m.put("h", resource);
        reputationLog.share(m, reporterNetwork, subjectNetwork);
    }

    @Override
    public void vouched(String voucherId, InetAddress voucherNetwork, String subjectId, InetAddress subjectNetwork) {
        reputationLog.share(message("served", subjectId, voucherId), voucherNetwork, subjectNetwork);
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
        subscription.sync().subscribe(channel(cluster.instance()), RedisReputationLog.EVERYONE);
        // What was reported before this instance started: after subscribing, so that nothing
        // falls between (an event both read back and heard counts once: reputation keeps one of
        // each); on a thread of its own, so that signals for this server's peers do not wait behind it.
        Thread readBack = new Thread(() -> reputationLog.readBack(inbox), "cluster-read-back");
        readBack.setDaemon(true);
        readBack.start();
    }

    /** Hands one message to the server. */
    private void deliver(Inbox inbox, String text) {
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
            if (RedisReputationLog.isEvent(kind)) {
                reputationLog.apply(inbox, m, to, from, 0);
                return;
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
