package io.swarmkeeper.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.server.ClusterBus;
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
 * {@code gone}, {@code peer-gone}), {@code to}, {@code from}, {@code fh} (the sending instance),
 * and per kind the frame {@code f}, the pairing's reason {@code r} or the peer that left {@code g}.
 * What arrives is handed to the server on one thread, in order.
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
    public boolean signal(String home, String to, String from, String frame) {
        ObjectNode m = message("signal", to, from);
        m.put("f", frame);
        return publish(home, m);
    }

    @Override
    public void paired(String home, String asker, String holder, String reason) {
        ObjectNode m = message("paired", holder, asker);
        if (reason != null) {
            m.put("r", reason);
        }
        publish(home, m);
    }

    @Override
    public void gone(String home, String partner, String goneId) {
        ObjectNode m = message("gone", partner, goneId);
        publish(home, m);
    }

    private ObjectNode message(String kind, String to, String from) {
        ObjectNode m = MessageCodec.mapper().createObjectNode();
        m.put("k", kind);
        m.put("to", to);
        m.put("from", from);
        m.put("fh", cluster.instance());
        return m;
    }

    /** True when an instance subscribed to {@code home}'s channel got it. */
    private boolean publish(String home, ObjectNode m) {
        long receivers = cluster.call(() -> cluster.redis().publish(channel(home), m.toString()));
        sent.increment();
        if (receivers == 0) {
            undelivered.increment();
        }
        return receivers > 0;
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
        subscription.sync().subscribe(channel(cluster.instance()));
    }

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
            switch (m.path("k").asText("")) {
                case "signal" -> {
                    if (!inbox.signal(to, from, m.path("f").asText())) {
                        ObjectNode back = message("peer-gone", from, to);
                        publish(m.path("fh").asText(), back);
                    }
                }
                case "paired" -> inbox.paired(from, to, m.hasNonNull("r") ? m.get("r").asText() : null);
                case "gone" -> inbox.gone(to, from);
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
