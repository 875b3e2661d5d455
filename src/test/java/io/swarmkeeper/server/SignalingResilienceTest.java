package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.SignalingClient;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lost peers, heartbeats, resumed ids, reconnection and retry-after, with real sockets. */
@Timeout(60)
class SignalingResilienceTest extends RunningServer {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";
    private static final ResourceId ID = ResourceId.parse(HASH);

    @Test
    void aLostHolderIsReportedAtOnceAndTheNextBestOfferedUnasked() throws Exception {
        start(ServerConfig.builder());
        try (RawSignalingClient a = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient b = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient leecher = RawSignalingClient.welcomed(server.url(), "peer")) {
            String first = twoHoldersOneWant(a, b, leecher);
            RawSignalingClient offered = first.equals(a.id()) ? a : b;
            RawSignalingClient other = offered == a ? b : a;

            long closed = System.nanoTime();
            offered.closeBlocking();
            JsonNode gone = leecher.next();
            assertEquals("peer-gone", gone.get("type").asText());
            assertEquals(first, gone.get("id").asText());
            JsonNode next = leecher.next();
            long millis = (System.nanoTime() - closed) / 1_000_000;
            assertEquals("match", next.get("type").asText());
            assertEquals(other.id(), next.get("peers").get(0).get("id").asText());
            assertTrue(millis < 1000, "told within 1 s, took " + millis + " ms");

            // The new holder is paired: signals now flow to it.
            leecher.send("{\"type\":\"signal\",\"to\":\"" + other.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
            assertEquals(leecher.id(), other.next("signal").get("from").asText());
        }
    }

    @Test
    void aWantEndsWhenTheAskerHasItOrCancels() throws Exception {
        start(ServerConfig.builder());
        try (RawSignalingClient a = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient b = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient leecher = RawSignalingClient.welcomed(server.url(), "peer")) {
            String first = twoHoldersOneWant(a, b, leecher);
            leecher.send("{\"type\":\"cancel\",\"hash\":\"" + HASH + "\"}");
            leecher.send("{\"type\":\"lost\",\"hashes\":[]}"); // a round trip marker: handled in order
            (first.equals(a.id()) ? a : b).closeBlocking();
            assertEquals("peer-gone", leecher.next().get("type").asText());
            assertTrue(leecher.quietFor(500), "no further match after cancel");
        }
    }

    @Test
    void lostRemovesHoldings() throws Exception {
        start(ServerConfig.builder());
        try (RawSignalingClient a = RawSignalingClient.welcomed(server.url(), "seeder")) {
            a.send(have());
            awaitHolders(1);
            a.send("{\"type\":\"lost\",\"hashes\":[\"" + HASH + "\"]}");
            Poll.until(Duration.ofSeconds(5), "the holding to go", () -> server.holderCount(ID) == 0);
        }
    }

    @Test
    void halfOpenConnectionsAreReapedByHeartbeat() throws Exception {
        start(ServerConfig.builder().heartbeatSeconds(1));
        try (RawSignalingClient leecher = RawSignalingClient.welcomed(server.url(), "peer");
             Socket silent = new Socket("127.0.0.1", server.port())) {
            // A seeder that completes the handshake, says hello and have, then never answers a ping.
            OutputStream out = silent.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(maskedTextFrame("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}"));
            out.write(maskedTextFrame(have()));
            out.flush();
            awaitHolders(1);
            leecher.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals(1, leecher.next("match").get("peers").size());
            long start = System.nanoTime();
            JsonNode gone = leecher.next("peer-gone"); // waits up to 5 s
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 4000, "reaped after " + millis + " ms with 1 s heartbeats");
            assertEquals(1, server.peerCount(), "only the leecher is left");
            assertFalse(gone.get("id").asText().isEmpty());
            InputStream ignored = silent.getInputStream();
            assertTrue(ignored != null);
        }
    }

    @Test
    void aValidResumeTokenGetsTheIdBackAndOthersDoNot() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient first = RawSignalingClient.connect(server.url());
        first.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
        JsonNode welcome = first.next("welcome");
        String id = welcome.get("id").asText();
        String token = welcome.get("resume").asText();
        assertFalse(welcome.get("resumed").asBoolean());

        // Stolen while the owner is still connected: no takeover.
        try (RawSignalingClient thief = RawSignalingClient.connect(server.url())) {
            thief.send("{\"type\":\"hello\",\"version\":1,\"resume\":\"" + token + "\"}");
            assertNotEquals(id, thief.next("welcome").get("id").asText());
        }
        first.closeBlocking();
        awaitPeers(0);

        try (RawSignalingClient back = RawSignalingClient.connect(server.url())) {
            back.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\",\"resume\":\"" + token + "\"}");
            JsonNode again = back.next("welcome");
            assertEquals(id, again.get("id").asText());
            assertTrue(again.get("resumed").asBoolean());
            assertNotEquals(token, again.get("resume").asText(), "tokens are single-use");
        }
        awaitPeers(0);
        try (RawSignalingClient replay = RawSignalingClient.connect(server.url())) {
            replay.send("{\"type\":\"hello\",\"version\":1,\"resume\":\"" + token + "\"}");
            assertNotEquals(id, replay.next("welcome").get("id").asText(), "a used token is stale");
        }
    }

    @Test
    void theJavaClientReconnectsResumesAndReannounces() throws Exception {
        start(ServerConfig.builder());
        List<Message.Welcome> welcomes = new CopyOnWriteArrayList<>();
        SignalingClient.Listener listener = new SignalingClient.Listener() {
            @Override
            public void onMessage(Message message) {}

            @Override
            public void onWelcome(SignalingClient client, Message.Welcome welcome) {
                welcomes.add(welcome);
                client.send(new Message.Have(List.of(HASH)));
            }
        };
        try (SignalingClient client = SignalingClient.connect(URI.create(server.url()), PeerRole.SEEDER, listener,
                SignalingClient.Options.persistent().withBackoff(Duration.ofMillis(50), Duration.ofMillis(200)))) {
            awaitHolders(1);
            String id = client.id();
            assertTrue(server.disconnect(id));
            Poll.until(Duration.ofSeconds(10), "a second welcome after the cut", () -> welcomes.size() >= 2);
            assertEquals(2, welcomes.size());
            assertTrue(welcomes.get(1).resumed());
            assertEquals(id, client.id(), "same id after reconnecting");
            awaitHolders(1);
            assertTrue(server.holds(id, ID), "holdings announced again");
        }
    }

    @Test
    void aFullServerRefusesWithARetryHint() throws Exception {
        start(ServerConfig.builder().maxPeers(1).retryAfterMs(1500));
        try (RawSignalingClient occupant = RawSignalingClient.welcomed(server.url(), "peer");
             RawSignalingClient refused = RawSignalingClient.connect(server.url())) {
            JsonNode error = refused.next("error");
            assertEquals("overloaded", error.get("code").asText());
            long hint = error.get("retryAfterMs").asLong();
            assertTrue(hint >= 1500 && hint <= 3000, "hint " + hint);
            assertEquals(1013, refused.awaitCloseCode());
            assertTrue(occupant.isOpen(), "the occupant is not disturbed");
        }
    }

    @Test
    void theJavaClientWaitsAsLongAsTheServerAsks() throws Exception {
        // One admission a second: the client takes it, and its quick retry after a kick is refused.
        start(ServerConfig.builder().maxHandshakesPerSecond(1));
        try (SignalingClient client = SignalingClient.connect(URI.create(server.url()), PeerRole.PEER, message -> {},
                SignalingClient.Options.persistent().withBackoff(Duration.ofMillis(10), Duration.ofMillis(20)))) {
            long before = server.metrics().refusedOverload.sum();
            server.disconnect(client.id());
            Poll.until(Duration.ofSeconds(5), "the client's quick retry to be refused",
                    () -> server.metrics().refusedOverload.sum() > before);
            long refusedAt = System.nanoTime();
            long opened = server.metrics().connectionsOpened.sum();
            // The hint is the next admission slot, a second away; its own back-off alone would be 20 ms.
            while (System.nanoTime() - refusedAt < TimeUnit.MILLISECONDS.toNanos(800)) {
                assertEquals(opened, server.metrics().connectionsOpened.sum(), "retried before the hint");
                Thread.sleep(20);
            }
            Poll.until(Duration.ofSeconds(10), "the client to get in at its slot", client::isConnected);
        }
    }

    /** Both seeders announce the resource, the leecher wants it; returns the holder it was offered. */
    private String twoHoldersOneWant(RawSignalingClient a, RawSignalingClient b, RawSignalingClient leecher)
            throws InterruptedException {
        a.send(have());
        b.send(have());
        awaitHolders(2);
        leecher.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"count\":1}");
        return leecher.next("match").get("peers").get(0).get("id").asText();
    }

    private static String have() {
        return "{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}";
    }

    private void awaitHolders(int n) throws InterruptedException {
        Poll.until(Duration.ofSeconds(5), n + " holders", () -> server.holderCount(ID) >= n);
    }

    private void awaitPeers(int n) throws InterruptedException {
        Poll.until(Duration.ofSeconds(5), n + " peers", () -> server.peerCount() == n);
    }

    /** A client-to-server text frame (clients must mask), for a hand-made half-open peer. */
    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
