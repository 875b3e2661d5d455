package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one hostile address can do below the message layer: connections that never upgrade,
 * upgrade requests without end, peers that stop reading, frames the protocol forbids. Each is
 * refused or cut off, counted, and everyone else is still served.
 */
@Timeout(60)
class TransportHardeningTest extends RunningServer {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";

    @Test
    void connectionsThatNeverUpgradeAreCappedPerAddressAndTimedOut() throws Exception {
        start(ServerConfig.builder().maxConnectionsPerAddress(4).upgradeTimeoutMs(1500));
        List<RawWebSocket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                idle.add(RawWebSocket.open("127.0.0.1", server.port(), "127.0.0.1"));
            }
            // Beyond the per-address cap and as many again (at least 16), sockets are closed as they are accepted.
            Poll.until(Duration.ofSeconds(5), "sockets beyond the per-address cap closed",
                    () -> closedCount(idle) >= 60 - (4 + 16));
            // Someone else is served meanwhile.
            try (RawSignalingClient other = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.2")) {
                other.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
                assertEquals("match", other.next("match").get("type").asText());
            }
            // The rest go at the upgrade deadline.
            Poll.until(Duration.ofSeconds(10), "every never-upgraded socket closed", () -> closedCount(idle) == 60);
        } finally {
            idle.forEach(RawWebSocket::close);
        }
        assertTrue(server.errorCounts().getOrDefault("upgrade-timeout", 0L) >= 1, server.errorCounts().toString());
        assertTrue(server.errorCounts().getOrDefault("too-many-connections", 0L) >= 40, server.errorCounts().toString());
        assertTrue(server.prometheusMetrics().contains("swarmkeeper_errors_total{code=\"upgrade-timeout\"}"));
    }

    @Test
    void anUpgradeRequestWithHugeHeadersIsRefusedNotRead() throws Exception {
        start(ServerConfig.builder().maxHeaderBytes(8192));
        String status;
        try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", server.port(), null)) {
            status = sendHugeUpgrade(ws, RawWebSocket.upgradeHead("127.0.0.1", server.port()) + "X-Filler: ", 4 << 20);
        }
        assertFalse(status.startsWith("HTTP/1.1 101"), "a 4 MiB header was accepted: " + status);
        assertTrue(status.isEmpty() || status.startsWith("HTTP/1.1 431"), status);
        String line;
        try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", server.port(), null)) {
            line = sendHugeUpgrade(ws, "GET /" + "a".repeat(100), 1 << 20);
        }
        assertTrue(line.isEmpty() || line.startsWith("HTTP/1.1 414"), line);
        try (RawSignalingClient other = RawSignalingClient.welcomed(server.url(), "peer")) {
            assertTrue(other.isOpen());
        }
        assertTrue(server.errorCounts().getOrDefault("header-too-large", 0L) >= 2, server.errorCounts().toString());
    }

    /**
     * Streams {@code head} followed by {@code size} bytes of 'a' and the end of the headers, as a
     * naive server would wait for; returns the status line the server answered, or "" if it
     * closed the connection without one.
     */
    private static String sendHugeUpgrade(RawWebSocket ws, String head, int size) throws IOException {
        byte[] filler = new byte[16384];
        Arrays.fill(filler, (byte) 'a');
        try {
            ws.write(head.getBytes(StandardCharsets.US_ASCII));
            for (int sent = 0; sent < size; sent += filler.length) {
                ws.write(filler);
            }
            ws.write(" HTTP/1.1\r\nX-End: 1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException closedByServer) {
            // the server stopped reading and closed: what we want
        }
        try {
            return ws.readResponseHead();
        } catch (IOException e) {
            return "";
        }
    }

    /** A victim that said hello and announced HASH, then stops reading; and a sender matched with it. */
    private record StalledPair(RawWebSocket victim, String victimId, RawSignalingClient sender) implements AutoCloseable {
        @Override
        public void close() {
            victim.close();
            sender.close();
        }
    }

    private StalledPair stalledPair() throws Exception {
        RawWebSocket victim = RawWebSocket.upgraded("127.0.0.1", server.port(), "127.0.0.3", 4096);
        RawSignalingClient sender = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.4");
        victim.sendText("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
        JsonNode welcome = io.swarmkeeper.protocol.MessageCodec.mapper().readTree(victim.readFrame().text());
        String victimId = welcome.get("id").asText();
        victim.sendText("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
        Poll.until(Duration.ofSeconds(5), "holding recorded", () -> server.holderCount(
                io.swarmkeeper.content.ResourceId.parse(HASH)) == 1);
        sender.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
        assertEquals(victimId, sender.next("match").get("peers").get(0).get("id").asText());
        return new StalledPair(victim, victimId, sender);
    }

    /** Relays 30 KB signals to the victim, within the sender's message rate, until the server says it is busy. */
    private static void floodUntilBusy(StalledPair pair) throws InterruptedException {
        String sdp = "x".repeat(30_000);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 20; i++) {
                pair.sender().send("{\"type\":\"signal\",\"to\":\"" + pair.victimId()
                        + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"" + sdp + "\"}}");
            }
            JsonNode next = pair.sender().nextOrNull(500);
            if (next != null && "peer-busy".equals(next.path("code").asText())) {
                return;
            }
        }
        throw new AssertionError("the server never said the peer was busy");
    }

    @Test
    void whatOthersRelayToAPeerThatStoppedReadingIsDroppedAtHalfItsBoundAndItIsReaped() throws Exception {
        start(ServerConfig.builder().maxQueuedBytes(256 * 1024).heartbeatSeconds(1));
        try (StalledPair pair = stalledPair()) {
            floodUntilBusy(pair); // the sender hears that its signals are dropped, the victim is not cut off for it
            assertEquals(pair.victimId(), pair.sender().next("peer-gone").get("id").asText(),
                    "the peer that does not read is reaped by the heartbeat");
        }
        assertTrue(server.errorCounts().getOrDefault("peer-busy", 0L) >= 1, server.errorCounts().toString());
    }

    @Test
    void aCloseThatCannotBeWrittenEndsTheConnectionAnyway() throws Exception {
        start(ServerConfig.builder().maxQueuedBytes(256 * 1024)); // heartbeats every 30 s: they play no part
        try (StalledPair pair = stalledPair()) {
            floodUntilBusy(pair); // the victim's queue is full: a close frame would wait behind it for ever
            pair.victim().sendText("{\"type\":\"bye\"}");
            // Gone from the server (not only closing) within the close grace, though its close frame cannot be written.
            Poll.until(Duration.ofSeconds(6), "the victim forgotten", () -> server.peerCount() == 1);
        }
    }

    @Test
    void pingsAreAnsweredAtMostTenTimesASecond() throws Exception {
        start(ServerConfig.builder());
        try (RawWebSocket ws = RawWebSocket.upgraded("127.0.0.1", server.port(), null, 0)) {
            for (int i = 0; i < 500; i++) {
                ws.sendFrame(0x9, new byte[] {(byte) i});
            }
            long start = System.nanoTime();
            int pongs = 0;
            ws.socket().setSoTimeout(300);
            try {
                while (true) {
                    if (ws.readFrame().opcode() == 0xA) {
                        pongs++;
                    }
                }
            } catch (java.net.SocketTimeoutException quiet) {
                // no more
            }
            long tenths = (System.nanoTime() - start) / 100_000_000L + 2;
            assertTrue(pongs >= 1 && pongs <= tenths, pongs + " pongs for 500 pings in " + tenths + " tenths of a second");
        }
    }

    @Test
    void aCloseFrameWithInvalidUtf8EndsTheConnection() throws Exception {
        start(ServerConfig.builder());
        try (RawWebSocket ws = RawWebSocket.upgraded("127.0.0.1", server.port(), null, 0)) {
            ws.sendClose(1000, new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff});
            assertTrue(ws.closedByServerWithin(5000), "connection left open after an invalid close frame");
        }
        Poll.until(Duration.ofSeconds(5), "the connection forgotten",
                () -> server.errorCounts().getOrDefault("bad-frame", 0L) == 1);
    }

    @Test
    void malformedFramesAreCountedAndLoggedQuietly() throws Exception {
        start(ServerConfig.builder());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 20; i++) {
                try (RawWebSocket ws = RawWebSocket.upgraded("127.0.0.1", server.port(), null, 0)) {
                    ws.sendFrame(0x3, new byte[] {1, 2, 3}); // a reserved opcode
                    assertTrue(ws.closedByServerWithin(5000));
                }
            }
            Poll.until(Duration.ofSeconds(5), "20 bad frames counted",
                    () -> server.errorCounts().getOrDefault("bad-frame", 0L) == 20);
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains("ERROR"), log);
        assertFalse(log.contains("\tat "), "stack traces in the log: " + log);
        try (RawSignalingClient other = RawSignalingClient.welcomed(server.url(), "peer")) {
            assertTrue(other.isOpen());
        }
    }

    @Test
    void holdingsAreLimitedPerAddressAsWellAsPerPeer() throws Exception {
        start(ServerConfig.builder().maxHoldingsPerPeer(1000).maxHoldingsPerAddress(1500));
        try (RawSignalingClient a = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.5");
             RawSignalingClient b = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.5");
             RawSignalingClient c = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.6")) {
            a.send(haveMessage(0, 1000));
            Poll.until(Duration.ofSeconds(5), "a's holdings recorded", () -> server.holdingCount() == 1000);
            b.send(haveMessage(1000, 1000));
            JsonNode refused = b.next("error");
            assertEquals("too-many-holdings", refused.get("code").asText());
            assertTrue(refused.get("message").asText().contains("address"), refused.toString());
            c.send(haveMessage(2000, 1000));
            Poll.until(Duration.ofSeconds(5), "the other address's holdings recorded",
                    () -> server.holdingCount() == 2000);
            assertTrue(c.nextOrNull(300) == null, "the other address was refused");
            // Holdings that go free are free for the address again.
            a.close();
            Poll.until(Duration.ofSeconds(5), "a's holdings gone", () -> server.holdingCount() == 1000);
            b.send(haveMessage(1000, 1000));
            Poll.until(Duration.ofSeconds(5), "b's holdings recorded", () -> server.holdingCount() == 2000);
        }
    }

    @Test
    void theServerAsAWholeKeepsWithinItsHoldingsBudget() throws Exception {
        start(ServerConfig.builder().maxHoldingsPerPeer(1000).maxHoldingsPerAddress(1000).maxHoldingsTotal(2500));
        try (RawSignalingClient a = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.7");
             RawSignalingClient b = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.8");
             RawSignalingClient c = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.9")) {
            a.send(haveMessage(0, 1000));
            b.send(haveMessage(1000, 1000));
            Poll.until(Duration.ofSeconds(5), "2,000 holdings", () -> server.holdingCount() == 2000);
            c.send(haveMessage(2000, 1000));
            JsonNode refused = c.next("error");
            assertEquals("too-many-holdings", refused.get("code").asText());
            assertEquals(2000, server.holdingCount());
        }
    }

    /** A {@code have} of {@code n} distinct, valid SHA-224 ids numbered from {@code first}. */
    static String haveMessage(int first, int n) {
        StringBuilder out = new StringBuilder("{\"type\":\"have\",\"hashes\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append('"').append(String.format("%056x", first + i)).append('"');
        }
        return out.append("]}").toString();
    }

    private static int closedCount(List<RawWebSocket> sockets) {
        int closed = 0;
        for (RawWebSocket s : sockets) {
            try {
                if (s.closedByServerWithin(1)) {
                    closed++;
                }
            } catch (IOException e) {
                closed++;
            }
        }
        return closed;
    }
}
