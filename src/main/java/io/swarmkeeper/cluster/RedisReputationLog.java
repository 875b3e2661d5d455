package io.swarmkeeper.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.server.ClusterBus;
import io.swarmkeeper.server.SharedStateException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports and confirmations shared by the servers of a cluster. Unlike a signal they matter for
 * an hour (a report) or a day (a confirmation), so each goes, in one step, to every instance on
 * {@link #EVERYONE} and into the stream {@link #LOG}, which an instance reads back when it starts.
 * An event is the bus's JSON message ({@link RedisBus}) of kind {@code report} or {@code served},
 * with the networks {@code fn} and {@code tn} of reporter and subject, and for a report the
 * resource {@code h}.
 */
final class RedisReputationLog {
    private static final Logger log = LoggerFactory.getLogger(RedisReputationLog.class);
    /** The stream: the last {@link #ENTRIES} events (a day's are read back). */
    static final String LOG = RedisCluster.PREFIX + "reputation";
    /** Entries kept in {@link #LOG} (approximately: trimmed by whole nodes). */
    static final int ENTRIES = 200_000;
    /** The channel every instance listens to, besides its own. */
    static final String EVERYONE = RedisCluster.PREFIX + "all";
    /** How long reports and confirmations count (server.Reputation): older ones are not read back. */
    static final long REPORTS_COUNT_MS = 3_600_000L;
    static final long CONFIRMATIONS_COUNT_MS = 24 * REPORTS_COUNT_MS;
    private static final int PAGE = 1000;

    private static final String SHARE = """
            -- KEYS[1] the reputation log, KEYS[2] everyone's channel; ARGV[1] the event, ARGV[2] entries kept
            redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
            redis.call('PUBLISH', KEYS[2], ARGV[1])
            return 1
            """;

    private final RedisCluster cluster;
    /** The bus's count of messages sent to other instances. */
    private final LongAdder sent;

    RedisReputationLog(RedisCluster cluster, LongAdder sent) {
        this.cluster = cluster;
        this.sent = sent;
    }

    /** Whether a bus message is one of these events. */
    static boolean isEvent(String kind) {
        return kind.equals("report") || kind.equals("served");
    }

    /** Completes a bus message ({@code to} the subject, {@code from} the reporter) into an event and shares it. */
    void share(ObjectNode event, InetAddress fromNetwork, InetAddress subjectNetwork) {
        event.put("fn", fromNetwork.getHostAddress());
        event.put("tn", subjectNetwork.getHostAddress());
        String text = event.toString();
        try {
            shareNow(text);
        } catch (SharedStateException e) {
            // This server counted it already, and a peer that sends it again is not counted
            // twice: it would never be shared otherwise.
            cluster.retryWhenBack(() -> shareNow(text));
        }
    }

    private void shareNow(String text) {
        cluster.script(SHARE, ScriptOutputType.INTEGER, new String[] {LOG, EVERYONE}, text, String.valueOf(ENTRIES));
        sent.increment();
    }

    /**
     * Hands an event to the server, {@code ageMillis} old; one this instance took itself, a
     * report too old to count, or one with unreadable networks is dropped.
     */
    void apply(ClusterBus.Inbox inbox, JsonNode m, String to, String from, long ageMillis) {
        String kind = m.path("k").asText("");
        if (cluster.instance().equals(m.path("fh").asText()) || (kind.equals("report") && ageMillis > REPORTS_COUNT_MS)) {
            return;
        }
        InetAddress fromNetwork = RedisPeerDirectory.network(m.path("fn").asText(null));
        InetAddress toNetwork = RedisPeerDirectory.network(m.path("tn").asText(null));
        if (fromNetwork == null || toNetwork == null) {
            return;
        }
        if (kind.equals("served")) {
            inbox.vouched(from, fromNetwork, to, toNetwork, ageMillis);
        } else if (ResourceId.isValid(m.path("h").asText(""))) {
            inbox.reported(from, fromNetwork, to, toNetwork, m.path("h").asText(), ageMillis);
        }
    }

    /** Reads the log back from a day ago, oldest first, each event as old as its entry's id says. */
    void readBack(ClusterBus.Inbox inbox) {
        try {
            List<String> time = cluster.call(() -> cluster.redis().time());
            long nowMs = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
            Range<String> range = Range.from(Range.Boundary.including((nowMs - CONFIRMATIONS_COUNT_MS) + "-0"),
                    Range.Boundary.unbounded());
            int read = 0;
            while (true) {
                Range<String> page = range;
                List<StreamMessage<String, String>> entries = cluster.call(
                        () -> cluster.redis().xrange(LOG, page, Limit.from(PAGE)));
                for (StreamMessage<String, String> entry : entries) {
                    long atMs = Long.parseLong(entry.getId().substring(0, entry.getId().indexOf('-')));
                    applyText(inbox, entry.getBody().get("e"), Math.max(0, nowMs - atMs));
                }
                read += entries.size();
                if (entries.size() < PAGE) {
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

    private void applyText(ClusterBus.Inbox inbox, String text, long ageMillis) {
        try {
            JsonNode m = MessageCodec.mapper().readTree(text);
            String to = m.path("to").asText(null);
            String from = m.path("from").asText(null);
            if (to != null && from != null && isEvent(m.path("k").asText(""))) {
                apply(inbox, m, to, from, ageMillis);
            }
        } catch (Exception e) {
            log.warn("cluster: an unreadable entry of the reputation log skipped: {}", e.toString());
        }
    }
}
