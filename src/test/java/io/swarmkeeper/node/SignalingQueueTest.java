package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client's outgoing queue under the server's rate: bounded for signals, which are dropped
 * unsent once no longer wanted, with refusals sent only in turns nothing else wants; seen from a
 * real peer paired with it through a real server, which relays in order.
 */
@Timeout(60)
class SignalingQueueTest {
    private static final ResourceId HELD = ResourceId.of("held".getBytes());

    private SignalingServer server;
    private SignalingClient holder;
    private RawSignalingClient peer;

    @BeforeEach
    void pair() throws Exception {
        // 20 a second, bursts of 10: the client keeps to 18 a second in bursts of 5.
        server = new SignalingServer(ServerConfig.loopback(0).toBuilder().messagesPerSecond(20).messageBurst(10).build()).start();
        holder = SignalingClient.connect(URI.create(server.url()), PeerRole.SEEDER, message -> { }, Duration.ofSeconds(5));
        holder.send(new Message.Have(List.of(HELD.text())));
        Poll.until(Duration.ofSeconds(5), "the holding", () -> server.holds(holder.id(), HELD));
        peer = RawSignalingClient.welcomed(server.url(), "peer");
        peer.send("{\"type\":\"want\",\"hash\":\"" + HELD.text() + "\"}");
        peer.next("match");
    }

    @AfterEach
    void close() {
        peer.close();
        holder.close();
        server.close();
    }

    private Message.Signal numbered(String kind, int n) {
        ObjectNode data = MessageCodec.mapper().createObjectNode();
        data.put("type", kind);
        data.put("n", n);
        return new Message.Signal(peer.id(), null, data);
    }

    /** The kinds and numbers of the next {@code count} signals the peer gets, in order. */
    private List<String> receive(int count) throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (got.size() < count) {
            JsonNode m = peer.next("signal");
            got.add(m.get("data").get("type").asText() + m.get("data").get("n").asInt());
        }
        return got;
    }

    @Test
    void signalsNoLongerWantedAreDroppedUnsentAndFreshOnesFollowInOrder() throws Exception {
        AtomicBoolean linkAlive = new AtomicBoolean(true);
        for (int i = 0; i < 30; i++) { // a link's signals, queued behind the pace
            assertTrue(holder.sendWhile(numbered("old", i), linkAlive::get));
        }
        linkAlive.set(false); // its offer timed out
        for (int i = 0; i < 5; i++) {
            holder.sendWhile(numbered("fresh", i), () -> true);
        }
        holder.send(numbered("essential", 0));
        List<String> got = new ArrayList<>();
        while (got.isEmpty() || !got.get(got.size() - 1).equals("essential0")) {
            got.addAll(receive(1));
        }
        // What went out before the link died went; the rest never did, and nothing jumped the order.
        List<String> fresh = got.subList(got.size() - 6, got.size());
        assertEquals(List.of("fresh0", "fresh1", "fresh2", "fresh3", "fresh4", "essential0"), fresh);
        List<String> old = got.subList(0, got.size() - 6);
        assertTrue(old.size() < 30, "stale signals were dropped: " + old.size() + " of 30 went");
        for (int i = 0; i < old.size(); i++) {
            assertEquals("old" + i, old.get(i));
        }
        assertEquals(30 - old.size(), holder.queueStats().droppedStale());
        assertTrue(peer.quietFor(300), "nothing else came");
        assertEquals(0L, server.errorCounts().getOrDefault("rate-limited", 0L), "the pace was kept");
    }

    @Test
    void atMostABoundedNumberOfSignalsWait() {
        int accepted = 0;
        for (int i = 0; i < SignalingClient.MAX_CONDITIONAL_WAITING + 100; i++) {
            if (holder.sendWhile(numbered("s", i), () -> true)) {
                accepted++;
            }
        }
        SignalingClient.QueueStats stats = holder.queueStats();
        assertTrue(stats.conditionalWaiting() <= SignalingClient.MAX_CONDITIONAL_WAITING, stats.toString());
        assertTrue(accepted < SignalingClient.MAX_CONDITIONAL_WAITING + 100, "some were refused: " + accepted);
        assertEquals(SignalingClient.MAX_CONDITIONAL_WAITING + 100 - accepted, stats.droppedFull());
    }

    @Test
    void refusalsTakeOnlyTurnsNothingElseWants() throws Exception {
        for (int i = 0; i < 15; i++) {
            holder.send(numbered("answer", i));
        }
        holder.sendWhenIdle(numbered("refused", 0), () -> true);
        holder.sendWhenIdle(numbered("refused", 1), () -> false); // its offerer gave up meanwhile
        for (int i = 15; i < 20; i++) {
            holder.sendWhile(numbered("answer", i), () -> true);
        }
        List<String> got = receive(21);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("answer" + i);
        }
        expected.add("refused0");
        assertEquals(expected, got);
        assertTrue(peer.quietFor(300), "the stale refusal was not sent");
    }
}
