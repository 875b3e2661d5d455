package io.swarmkeeper.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.RedisPerClass;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two signaling servers sharing one real redis-server: peers on one are matched with and signal peers on the other. */
@Timeout(60)
class ClusterRelayTest {
    private static final RedisCluster.Timing FAST = new RedisCluster.Timing(Duration.ofMillis(250), Duration.ofSeconds(2));
    private static final String HASH = ResourceId.of("clustered".getBytes(StandardCharsets.UTF_8)).text();
    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();
    private SignalingServer a;
    private SignalingServer b;
    private RedisCluster clusterOfA;

    @BeforeEach
    void startServers() throws Exception {
        redis.flushAll();
        ServerConfig config = ServerConfig.loopback(0).toBuilder().redis(redis.url()).build();
        clusterOfA = RedisCluster.join(redis.url(), FAST);
        a = ClusteredServer.create(config, clusterOfA).start();
        b = ClusteredServer.create(config, FAST).start();
    }

    @AfterEach
    void stopServers() {
        a.close();
        b.close();
    }

    @Test
    void anAskerOnOneServerIsMatchedWithAHolderOnTheOtherAndTheirSignalsPassInOrder() throws Exception {
        try (RawSignalingClient holder = RawSignalingClient.welcomed(b.url(), "seeder");
             RawSignalingClient asker = RawSignalingClient.welcomed(a.url(), "peer")) {
            holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            Poll.until(Duration.ofSeconds(5), "the holding seen from A", () -> a.holderCount(ResourceId.parse(HASH)) == 1);
            asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            JsonNode match = asker.next("match");
            assertEquals(holder.id(), match.get("peers").get(0).get("id").asText(), match.toString());
            assertEquals("seeder", match.get("peers").get(0).get("role").asText());

            for (int i = 0; i < 200; i++) {
                asker.send("{\"type\":\"signal\",\"to\":\"" + holder.id() + "\",\"data\":{\"type\":\"candidate\",\"n\":" + i + "}}");
            }
            for (int i = 0; i < 200; i++) {
                JsonNode relayed = holder.next("signal");
                assertEquals(asker.id(), relayed.get("from").asText());
                assertEquals(i, relayed.get("data").get("n").asInt(), "in the order sent");
                assertEquals("peer", relayed.get("role").asText());
            }
            holder.send("{\"type\":\"signal\",\"to\":\"" + asker.id() + "\",\"data\":{\"type\":\"answer\",\"sdp\":\"v=0\"}}");
            JsonNode answer = asker.next("signal");
            assertEquals(holder.id(), answer.get("from").asText());
            assertEquals("seeder", answer.get("role").asText());
            assertEquals("v=0", answer.get("data").get("sdp").asText());
        }
    }

    @Test
    void aPeerResumesItsIdOnTheOtherServerOnceAndOnlyWithItsToken() throws Exception {
        RawSignalingClient first = RawSignalingClient.connect(a.url());
        first.send("{\"type\":\"hello\",\"version\":1,\"role\":\"peer\"}");
        JsonNode welcome = first.next("welcome");
        String id = welcome.get("id").asText();
        String token = welcome.get("resume").asText();
        first.close();
        Poll.until(Duration.ofSeconds(5), "the token parked", () -> a.prometheusMetrics().contains("swarmkeeper_resumable_peers 1")
                || b.prometheusMetrics().contains("swarmkeeper_resumable_peers 1"));
        try (RawSignalingClient wrong = RawSignalingClient.connect(b.url())) {
            wrong.send("{\"type\":\"hello\",\"version\":1,\"role\":\"peer\",\"resume\":\"" + token + "x\"}");
            JsonNode fresh = wrong.next("welcome");
            assertTrue(!fresh.get("id").asText().equals(id) && !fresh.get("resumed").asBoolean(), fresh.toString());
        }
        try (RawSignalingClient again = RawSignalingClient.connect(b.url())) {
            again.send("{\"type\":\"hello\",\"version\":1,\"role\":\"peer\",\"resume\":\"" + token + "\"}");
            JsonNode resumed = again.next("welcome");
            assertEquals(id, resumed.get("id").asText(), "the same id, on the other server");
            assertTrue(resumed.get("resumed").asBoolean());
        }
        try (RawSignalingClient twice = RawSignalingClient.connect(a.url())) {
            twice.send("{\"type\":\"hello\",\"version\":1,\"role\":\"peer\",\"resume\":\"" + token + "\"}");
            assertTrue(!twice.next("welcome").get("resumed").asBoolean(), "a token works once");
        }
    }

    @Test
    void thePeersOfAServerThatStopsBeatingResumeOnTheOther() throws Exception {
        RawSignalingClient onA = RawSignalingClient.connect(a.url());
        onA.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
        JsonNode welcome = onA.next("welcome");
        onA.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
        Poll.until(Duration.ofSeconds(5), "the holding seen from B", () -> b.holderCount(ResourceId.parse(HASH)) == 1);
        // A dies without a word: it stops beating, its sockets stay as they are.
        clusterOfA.stopBeating();
        Poll.until(Duration.ofSeconds(10), "A's holder gone from B's view", () -> b.holderCount(ResourceId.parse(HASH)) == 0);
        try (RawSignalingClient back = RawSignalingClient.connect(b.url())) {
            back.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\",\"resume\":\"" + welcome.get("resume").asText() + "\"}");
            JsonNode resumed = back.next("welcome");
            assertEquals(welcome.get("id").asText(), resumed.get("id").asText(), "its id back on B");
            assertTrue(resumed.get("resumed").asBoolean());
        }
        onA.close();
    }

    @Test
    void whenAServerDiesThePartnersOfItsPeersOnTheOtherHearPeerGone() throws Exception {
        RawSignalingClient holder = RawSignalingClient.welcomed(a.url(), "seeder");
        try (RawSignalingClient asker = RawSignalingClient.welcomed(b.url(), "peer")) {
            holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            Poll.until(Duration.ofSeconds(5), "the holding seen from B", () -> b.holderCount(ResourceId.parse(HASH)) == 1);
            asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals(holder.id(), asker.next("match").get("peers").get(0).get("id").asText());
            clusterOfA.stopBeating(); // A dies without a word; its socket to the holder stays open
            JsonNode gone = asker.next("peer-gone");
            assertEquals(holder.id(), gone.get("id").asText(), "told by its own server once A is seen dead");
        } finally {
            holder.close();
        }
    }

    @Test
    void onlyMatchedPeersSignalEachOtherAcrossServers() throws Exception {
        try (RawSignalingClient holder = RawSignalingClient.welcomed(b.url(), "seeder");
             RawSignalingClient stranger = RawSignalingClient.welcomed(b.url(), "peer");
             RawSignalingClient asker = RawSignalingClient.welcomed(a.url(), "peer")) {
            stranger.send("{\"type\":\"signal\",\"to\":\"" + asker.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
            JsonNode refused = stranger.next("error");
            assertEquals("not-paired", refused.get("code").asText(), refused.toString());
            asker.send("{\"type\":\"signal\",\"to\":\"" + holder.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
            assertEquals("not-paired", asker.next("error").get("code").asText());
            assertTrue(holder.quietFor(300), "nothing reached the holder");
        }
    }

    @Test
    void aServerThatJoinedSinceTheOthersLastHeartbeatIsReachedAtOnce() throws Exception {
        // Heartbeats 10 s apart: the first server's view of the cluster predates the second for
        // the whole test, so only asking Redis can tell it the second is alive.
        RedisCluster.Timing slow = new RedisCluster.Timing(Duration.ofSeconds(10), Duration.ofSeconds(30));
        ServerConfig config = ServerConfig.loopback(0).toBuilder().redis(redis.url()).build();
        try (SignalingServer early = ClusteredServer.create(config, slow).start();
             SignalingServer late = ClusteredServer.create(config, slow).start();
             RawSignalingClient holder = RawSignalingClient.welcomed(early.url(), "seeder");
             RawSignalingClient asker = RawSignalingClient.welcomed(late.url(), "peer")) {
            holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            Poll.until(Duration.ofSeconds(5), "the holding seen from the late server",
                    () -> late.holderCount(ResourceId.parse(HASH)) == 1);
            asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals(holder.id(), asker.next("match").get("peers").get(0).get("id").asText());
            asker.send("{\"type\":\"signal\",\"to\":\"" + holder.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
            assertEquals(asker.id(), holder.next("signal").get("from").asText());
            // The answer goes back from the early server to the late one, which it has not seen beat.
            holder.send("{\"type\":\"signal\",\"to\":\"" + asker.id() + "\",\"data\":{\"type\":\"answer\",\"sdp\":\"y\"}}");
            JsonNode answer = asker.next();
            assertEquals("signal", answer.get("type").asText(), "not peer-gone: " + answer);
            assertEquals(holder.id(), answer.get("from").asText());
        }
    }

    @Test
    void aHoldingLostOnOneServerIsNoLongerOfferedOnTheOther() throws Exception {
        try (RawSignalingClient holder = RawSignalingClient.welcomed(b.url(), "seeder");
             RawSignalingClient asker = RawSignalingClient.welcomed(a.url(), "peer")) {
            holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            Poll.until(Duration.ofSeconds(5), "the holding seen from A", () -> a.holderCount(ResourceId.parse(HASH)) == 1);
            holder.send("{\"type\":\"lost\",\"hashes\":[\"" + HASH + "\"]}");
            Poll.until(Duration.ofSeconds(5), "the loss seen from A", () -> a.holderCount(ResourceId.parse(HASH)) == 0);
            asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals(0, asker.next("match").get("peers").size(), "nobody offered");
        }
    }

    @Test
    void whenAPeerLeavesItsPartnerOnTheOtherServerHearsPeerGone() throws Exception {
        try (RawSignalingClient asker = RawSignalingClient.welcomed(a.url(), "peer")) {
            RawSignalingClient holder = RawSignalingClient.welcomed(b.url(), "seeder");
            holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            Poll.until(Duration.ofSeconds(5), "the holding seen from A", () -> a.holderCount(ResourceId.parse(HASH)) == 1);
            asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            asker.next("match");
            holder.close();
            JsonNode gone = asker.next("peer-gone");
            assertEquals(holder.id(), gone.get("id").asText(), gone.toString());
            Poll.until(Duration.ofSeconds(5), "the holding gone from A's view", () -> a.holderCount(ResourceId.parse(HASH)) == 0);

            // And the other way: a holder hears that the asker it was paired with left.
            try (RawSignalingClient second = RawSignalingClient.welcomed(b.url(), "seeder")) {
                second.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
                Poll.until(Duration.ofSeconds(5), "the new holding seen from A", () -> a.holderCount(ResourceId.parse(HASH)) == 1);
                asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
                assertEquals(second.id(), asker.next("match").get("peers").get(0).get("id").asText());
                asker.send("{\"type\":\"signal\",\"to\":\"" + second.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
                second.next("signal");
                String askerId = asker.id();
                asker.close();
                assertEquals(askerId, second.next("peer-gone").get("id").asText());
            }
        }
    }
}
