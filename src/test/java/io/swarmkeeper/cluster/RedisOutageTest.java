package io.swarmkeeper.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.RedisProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server of a cluster while its Redis goes away and comes back empty: no wrong answers, no crash, no restart. */
@Timeout(90)
class RedisOutageTest {
    private static final RedisCluster.Timing FAST = new RedisCluster.Timing(Duration.ofMillis(250), Duration.ofSeconds(2));
    private static final String HASH = ResourceId.of("outage".getBytes(StandardCharsets.UTF_8)).text();

    @Test
    void peersAreToldToComeBackWhileRedisIsAwayAndServedAgainOnceItReturns() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            ServerConfig config = ServerConfig.loopback(0).toBuilder().redis(redis.url()).retryAfterMs(300).build();
            SignalingServer server = ClusteredServer.create(config, FAST).start();
            try (RawSignalingClient welcomed = RawSignalingClient.welcomed(server.url(), "peer")) {
                redis.stop();
                Poll.until(Duration.ofSeconds(10), "Redis seen down", () -> server.prometheusMetrics().contains("swarmkeeper_redis_up 0"));

                // A peer already welcomed: its want is answered "come back", not with an empty match; it stays.
                welcomed.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
                JsonNode error = welcomed.next("error");
                assertEquals("overloaded", error.get("code").asText(), error.toString());
                assertTrue(error.get("retryAfterMs").asLong() >= 300, error.toString());
                assertTrue(!welcomed.closedByServer());

                // A new peer is refused with a retry hint and close 1013.
                RawSignalingClient newcomer = RawSignalingClient.connect(server.url());
                newcomer.send("{\"type\":\"hello\",\"version\":1,\"role\":\"peer\"}");
                JsonNode refused = newcomer.next("error");
                assertEquals("overloaded", refused.get("code").asText(), refused.toString());
                assertTrue(refused.get("retryAfterMs").asLong() >= 300);
                assertEquals(1013, newcomer.awaitCloseCode());
                JsonNode stats = MessageCodec.mapper().readTree(server.statsJson());
                assertEquals(false, stats.get("cluster").get("redisUp").asBoolean(), stats.toString());

                // Redis back, empty: the server finds itself forgotten and asks its peers to connect again.
                redis.startAgain();
                assertEquals("overloaded", welcomed.next("error").get("code").asText());
                assertEquals(1013, welcomed.awaitCloseCode());
                Poll.until(Duration.ofSeconds(10), "Redis seen up", () -> server.prometheusMetrics().contains("swarmkeeper_redis_up 1"));
                assertTrue(server.prometheusMetrics().contains("swarmkeeper_cluster_state_lost_total 1"), server.prometheusMetrics());
            }
            try (RawSignalingClient holder = RawSignalingClient.welcomed(server.url(), "seeder");
                 RawSignalingClient asker = RawSignalingClient.welcomed(server.url(), "peer")) {
                holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
                Poll.until(Duration.ofSeconds(5), "the holding recorded", () -> server.holderCount(ResourceId.parse(HASH)) == 1);
                asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
                assertEquals(holder.id(), asker.next("match").get("peers").get(0).get("id").asText(), "served again, no restart");
            } finally {
                server.close();
            }
        }
    }
}
