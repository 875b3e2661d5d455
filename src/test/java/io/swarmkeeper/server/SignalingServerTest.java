package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The signaling server over real WebSockets on loopback, with well-behaved and badly-behaved clients. */
class SignalingServerTest {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";

    private SignalingServer server;

    @BeforeEach
    void start() {
        server = newServer(ServerConfig.loopback(0)).start();
    }

    /** The server under test, not yet started ({@link ClusteredSignalingServerTest}: one of a cluster). */
    protected SignalingServer newServer(ServerConfig config) {
        return new SignalingServer(config);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void welcomesWithAServerAssignedIdAndNoIceServersByDefault() throws Exception {
        try (RawSignalingClient a = RawSignalingClient.connect(server.url());
             RawSignalingClient b = RawSignalingClient.connect(server.url())) {
            a.send("{\"type\":\"hello\",\"version\":1,\"role\":\"browser\",\"id\":\"i-choose-my-id\"}");
            b.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
            JsonNode wa = a.next("welcome");
            JsonNode wb = b.next("welcome");
            assertEquals(10, wa.get("id").asText().length());
            assertNotEquals("i-choose-my-id", wa.get("id").asText());
            assertNotEquals(wa.get("id"), wb.get("id"));
            assertEquals(0, wa.get("iceServers").size());
            assertEquals(65536, wa.path("limits").path("maxFrameBytes").asInt());
        }
    }

    @Test
    void matchesAskersWithHoldersAndRelaysSignalsBetweenThemVerbatim() throws Exception {
        try (RawSignalingClient seeder = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient leecher = RawSignalingClient.welcomed(server.url(), "peer")) {
            seeder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            awaitHolders();
            leecher.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            JsonNode match = leecher.next("match");
            assertEquals(HASH, match.get("hash").asText());
            assertEquals(seeder.id(), match.get("peers").get(0).get("id").asText());
            assertEquals("seeder", match.get("peers").get(0).get("role").asText());
            assertEquals(ShuffledRanking.REASON, match.get("peers").get(0).get("reason").asText(), "why it was chosen");

            String offer = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\",\"extra\":[1,2]}";
            // A role the sender claims in its signal is not what the server says: its hello's is.
            leecher.send("{\"type\":\"signal\",\"to\":\"" + seeder.id() + "\",\"data\":" + offer + ",\"role\":\"seeder\"}");
            JsonNode relayed = seeder.next("signal");
            assertEquals(leecher.id(), relayed.get("from").asText());
            assertEquals(JsonNodes.parse(offer), relayed.get("data"), "data passes verbatim, unknown fields too");
            assertEquals(ShuffledRanking.REASON, relayed.get("reason").asText(), "the answering side learns why too");
            assertEquals("peer", relayed.get("role").asText(), "and who asks: the role the asker said hello with");

            String answer = "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}";
            seeder.send("{\"type\":\"signal\",\"to\":\"" + leecher.id() + "\",\"data\":" + answer + "}");
            JsonNode relayedAnswer = leecher.next("signal");
            assertEquals(JsonNodes.parse(answer), relayedAnswer.get("data"));
            assertEquals(ShuffledRanking.REASON, relayedAnswer.get("reason").asText());
            assertEquals("seeder", relayedAnswer.get("role").asText());
            assertEquals(2, server.signalsRelayed());
        }
    }

    @Test
    void aSwappedRankingPolicyOrdersHoldersAndItsReasonsReachBothPeers() throws Exception {
        server.close();
        // A policy of our own: the seeder whose id sorts last first, "nearest" as its reason.
        HolderRanking lastIdFirst = (asker, holders, count) -> holders.stream()
                .filter(h -> !h.id().equals(asker.id()))
                .sorted(java.util.Comparator.comparing(PeerRecord::id).reversed())
                .limit(count)
                .map(h -> new HolderRanking.Ranked(h, "nearest: " + h.id()))
                .toList();
        server = new SignalingServer(ServerConfig.loopback(0), new InMemoryPeerDirectory(), lastIdFirst).start();
        try (RawSignalingClient s1 = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient s2 = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient leecher = RawSignalingClient.welcomed(server.url(), "peer")) {
            s1.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            s2.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            ResourceId id = ResourceId.parse(HASH);
            Poll.until(Duration.ofSeconds(5), "both holders registered", () -> server.holderCount(id) == 2);
            leecher.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"count\":2}");
            JsonNode peers = leecher.next("match").get("peers");
            RawSignalingClient first = s1.id().compareTo(s2.id()) > 0 ? s1 : s2;
            assertEquals(first.id(), peers.get(0).get("id").asText(), "the policy's order");
            assertEquals("nearest: " + first.id(), peers.get(0).get("reason").asText());
            leecher.send("{\"type\":\"signal\",\"to\":\"" + first.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
            assertEquals("nearest: " + first.id(), first.next("signal").get("reason").asText());
        }
    }

    @Test
    void answersAnEmptyMatchWhenNobodyHoldsIt() throws Exception {
        try (RawSignalingClient leecher = RawSignalingClient.welcomed(server.url(), "peer")) {
            leecher.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"count\":3}");
            assertEquals(0, leecher.next("match").get("peers").size());
        }
    }

    @Test
    void relaysSignalsOnlyBetweenMatchedPeers() throws Exception {
        try (RawSignalingClient a = RawSignalingClient.welcomed(server.url(), "peer");
             RawSignalingClient b = RawSignalingClient.welcomed(server.url(), "peer")) {
            a.send("{\"type\":\"signal\",\"to\":\"" + b.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
            JsonNode error = a.next("error");
            assertEquals("not-paired", error.get("code").asText());
            assertTrue(b.quietFor(300), "b hears nothing");
        }
    }

    @Test
    void tellsPartnersWhenAPeerLeaves() throws Exception {
        try (RawSignalingClient seeder = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient leecher = RawSignalingClient.welcomed(server.url(), "peer")) {
            seeder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            awaitHolders();
            leecher.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            leecher.next("match");
            seeder.closeBlocking();
            JsonNode gone = leecher.next("peer-gone");
            assertEquals(seeder.id(), gone.get("id").asText());
            leecher.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals(0, leecher.next("match").get("peers").size(), "its holdings left with it");
        }
    }

    @Test
    void answersBadInputWithClearErrorsAndKeepsServingOthers() throws Exception {
        try (RawSignalingClient rude = RawSignalingClient.connect(server.url());
             RawSignalingClient polite = RawSignalingClient.welcomed(server.url(), "peer")) {
            rude.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals("not-welcomed", rude.next("error").get("code").asText());
            rude.send("{\"type\":\"hello\",\"version\":1,\"role\":\"peer\"}");
            rude.next("welcome");
            rude.send("{not json");
            assertEquals("bad-json", rude.next("error").get("code").asText());
            rude.send("{\"type\":\"teleport\"}");
            assertEquals("unknown-type", rude.next("error").get("code").asText());
            rude.send("{\"type\":\"have\",\"hashes\":[\"xyz\"]}");
            assertEquals("bad-hash", rude.next("error").get("code").asText());
            rude.send("{\"type\":\"hello\",\"version\":1}");
            assertEquals("already-welcomed", rude.next("error").get("code").asText());
            rude.send("{\"type\":\"match\",\"hash\":\"" + HASH + "\",\"peers\":[]}");
            assertEquals("bad-message", rude.next("error").get("code").asText());
            rude.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals("binary-not-allowed", rude.next("error").get("code").asText());

            polite.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals("match", polite.next().get("type").asText(), "the polite peer is served as usual");
            assertTrue(server.errorCounts().get("bad-json") >= 1);
        }
    }

    @Test
    void closesConnectionsThatSendOversizedFrames() throws Exception {
        try (RawSignalingClient huge = RawSignalingClient.welcomed(server.url(), "peer");
             RawSignalingClient other = RawSignalingClient.welcomed(server.url(), "peer")) {
            huge.send("{\"type\":\"bye\",\"padding\":\"" + "x".repeat(100_000) + "\"}");
            assertEquals(CloseFrame.TOOBIG, huge.awaitCloseCode());
            other.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals("match", other.next().get("type").asText());
        }
    }

    @Test
    void refusesOtherProtocolVersions() throws Exception {
        try (RawSignalingClient old = RawSignalingClient.connect(server.url())) {
            old.send("{\"type\":\"hello\",\"version\":99,\"role\":\"peer\"}");
            assertEquals("unsupported-version", old.next("error").get("code").asText());
            assertEquals(CloseFrame.POLICY_VALIDATION, old.awaitCloseCode());
        }
    }

    @Test
    void peersThatSayHelloAndVanishLeaveNoGhosts() throws Exception {
        for (int i = 0; i < 40; i++) {
            RawSignalingClient flash = RawSignalingClient.connect(server.url());
            flash.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
            flash.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            flash.closeBlocking();
        }
        Poll.until(Duration.ofSeconds(5), "every flash peer to be forgotten", () -> server.peerCount() == 0);
        assertEquals(0, server.holderCount(ResourceId.parse(HASH)));
    }

    @Test
    void capsWhatOnePeerMayAnnounce() throws Exception {
        try (SignalingServer small = newServer(ServerConfig.builder().port(0).maxHashesPerMessage(10)
                .maxHoldingsPerPeer(3).build()).start();
             RawSignalingClient greedy = RawSignalingClient.welcomed(small.url(), "seeder")) {
            StringBuilder hashes = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                hashes.append(i == 0 ? "" : ",").append('"').append(ResourceId.of(new byte[] {(byte) i}).text()).append('"');
            }
            greedy.send("{\"type\":\"have\",\"hashes\":[" + hashes + "]}");
            assertEquals("too-many-holdings", greedy.next("error").get("code").asText());
            greedy.send("{\"type\":\"have\",\"hashes\":[" + hashes.toString().repeat(1).substring(0, 58) + "]}");
            greedy.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            greedy.next("match");
            assertEquals(1, small.holderCount(ResourceId.of(new byte[] {0})), "a batch within the cap is recorded");
        }
    }

    private void awaitHolders() throws InterruptedException {
        // "have" has no reply: wait until the server has registered it.
        ResourceId id = ResourceId.parse(HASH);
        Poll.until(Duration.ofSeconds(5), "the server to register the holder", () -> server.holderCount(id) > 0);
    }

    /** Parses JSON for comparisons. */
    static final class JsonNodes {
        static JsonNode parse(String json) throws Exception {
            return io.swarmkeeper.protocol.MessageCodec.mapper().readTree(json);
        }
    }
}
