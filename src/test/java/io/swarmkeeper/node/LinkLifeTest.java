package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.transfer.TransferClient;
import io.swarmkeeper.transfer.TransferObserver;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How links start, end and are refused (docs/protocol.md, section 1, {@code signal}, and section
 * 2, "Links"), between real peers over real WebRTC and a real signaling server.
 */
@Timeout(120)
class LinkLifeTest extends InSwarm {

    private static List<String> unlinkReasons(List<SwarmEvent> events, String peer) {
        return events.stream()
                .filter(e -> e instanceof SwarmEvent.PeerUnlinked u && u.peerId().equals(peer))
                .map(e -> ((SwarmEvent.PeerUnlinked) e).reason())
                .toList();
    }

    private static long linksOpened(List<SwarmEvent> events, String peer) {
        return events.stream().filter(e -> e instanceof SwarmEvent.PeerLinked p && p.peerId().equals(peer)).count();
    }

    @Test
    void aBusyHolderRefusesAtOnceAndTheFetcherTakesAnotherHolderWithoutBlamingIt() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(51, 300_000);
        ResourceId id = swarm.publish("hall.jpg", body);
        ResourceId onlyFirst = swarm.publish("first.jpg", DemoOrigin.sampleBytes(52, 10_000));
        ResourceId onlySecond = swarm.publish("second.jpg", DemoOrigin.sampleBytes(53, 10_000));
        SeederPeer busy1 = swarm.seeder("hall.jpg", "first.jpg");
        SeederPeer busy2 = swarm.seeder("hall.jpg", "second.jpg");
        SeederPeer free = swarm.seeder("hall.jpg");
        // One link each, taken by a peer that keeps it: both are full.
        LinkLimits one = LinkLimits.holder().withLinks(1, 1).withIdleTimeout(Duration.ofMinutes(2));
        busy1.node().setLinkLimits(one);
        busy2.node().setLinkLimits(one);
        LeecherPeer occupier = swarm.leecher();
        occupier.fetcher().setLinkLimits(LinkLimits.requester().withIdleTimeout(Duration.ofMinutes(2)));
        occupier.fetch(onlyFirst);
        occupier.fetch(onlySecond);
        assertEquals(1, busy1.node().linkCount());
        assertEquals(1, busy2.node().linkCount());
        swarm.origin().close();

        // One holder at a time, in the server's random order: fetch until a busy one came first.
        long refusedBefore = 0;
        for (int i = 0; i < 12 && refusedBefore == 0; i++) {
            LeecherPeer leecher = swarm.leecher(new Fetcher.Options(Duration.ofSeconds(10), Duration.ofSeconds(20), 1L << 31, 1));
            FetchResult result = leecher.fetch(id);
            assertEquals("peer:" + free.id(), result.source(), "the free holder served it");
            assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());
            long refused = busy1.node().linkStats().offersRefused() + busy2.node().linkStats().offersRefused();
            if (refused > 0) {
                for (SeederPeer busy : List.of(busy1, busy2)) {
                    if (busy.node().linkStats().offersRefused() > 0) {
                        // The offerer gave up on it because it was told so, not at its connect timeout.
                        Poll.until(Duration.ofSeconds(5), "the refused link's end", () -> !unlinkReasons(leecher.events(), busy.id()).isEmpty());
                        assertEquals(List.of("refused by the peer: busy"), unlinkReasons(leecher.events(), busy.id()));
                        assertEquals(0, linksOpened(leecher.events(), busy.id()));
                    }
                }
                assertEquals(Set.of(), leecher.fetcher().distrusted(), "a refusal is no misbehaviour");
            }
            refusedBefore = refused;
        }
        assertTrue(refusedBefore > 0, "a busy holder came first at least once in 12 fetches");
        assertEquals(0, swarm.server().reportersOf(busy1.id()), "nobody reported a busy holder");
        assertEquals(0, swarm.server().reportersOf(busy2.id()));
        assertEquals(1, busy1.node().linkCount(), "the busy holders kept to their one link");
        assertEquals(1, busy2.node().linkCount());
    }

    @Test
    void aHolderThatWasBusyIsOfferedOnceMoreWhenNoOtherServed() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(57, 200_000);
        ResourceId id = swarm.publish("only.jpg", body);
        SeederPeer seeder = swarm.seeder("only.jpg");
        seeder.node().setLinkLimits(LinkLimits.holder().withLinks(1, 1).withIdleTimeout(Duration.ofMinutes(2)));
        LeecherPeer occupier = swarm.leecher();
        occupier.fetcher().setLinkLimits(LinkLimits.requester().withIdleTimeout(Duration.ofMinutes(2)));
        occupier.fetch(id);
        assertEquals(1, seeder.node().linkCount(), "its one link is taken");
        swarm.origin().close();

        LeecherPeer leecher = swarm.leecher();
        CompletableFuture<FetchResult> fetching = CompletableFuture.supplyAsync(() -> {
            try {
                return leecher.fetch(id);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // Refused as busy; then the place frees up before the second offer.
        Poll.until(Duration.ofSeconds(10), "the refusal", () -> seeder.node().linkStats().offersRefused() > 0);
        occupier.fetcher().close();
        FetchResult result = fetching.get(30, TimeUnit.SECONDS);
        assertEquals("peer:" + seeder.id(), result.source(), "served on the second offer");
        assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());
        assertEquals(1, seeder.node().linkStats().offersRefused(), "refused once, answered the second time");
        assertEquals(List.of("refused by the peer: busy"), unlinkReasons(leecher.events(), seeder.id()));
        assertEquals(Set.of(), leecher.fetcher().distrusted());
    }

    @Test
    void theRequesterReusesAnIdleLinkThenClosesItAndTheHolderClosesLinksLeftIdle() throws Exception {
        byte[] first = DemoOrigin.sampleBytes(54, 200_000);
        byte[] second = DemoOrigin.sampleBytes(55, 300_000);
        ResourceId a = swarm.publish("a.css", first);
        ResourceId b = swarm.publish("b.js", second);
        SeederPeer seeder = swarm.seeder("a.css", "b.js");
        swarm.origin().close();

        // The requester keeps the link for its next request, and closes it once idle.
        LeecherPeer leecher = swarm.leecher();
        leecher.fetcher().setLinkLimits(LinkLimits.requester().withIdleTimeout(Duration.ofSeconds(2)));
        assertEquals("peer:" + seeder.id(), leecher.fetch(a).source());
        assertEquals("peer:" + seeder.id(), leecher.fetch(b).source());
        assertArrayEquals(second, leecher.store().readAll(b).orElseThrow());
        assertEquals(1, linksOpened(leecher.events(), seeder.id()), "both fetches went over one link");
        assertEquals(1, leecher.fetcher().linkCount(), "kept open while idle");
        Poll.until(Duration.ofSeconds(10), "the requester to close its idle link", () -> leecher.fetcher().linkCount() == 0);
        assertEquals(List.of("idle for 2 s"), unlinkReasons(leecher.events(), seeder.id()));
        Poll.until(Duration.ofSeconds(5), "the holder's end to close", () -> seeder.node().linkCount() == 0);
        assertEquals(List.of("data channel closed by the peer"), unlinkReasons(seeder.events(), leecher.id()));

        // A requester that keeps its links for long is closed on by the holder.
        seeder.node().setLinkLimits(LinkLimits.holder().withIdleTimeout(Duration.ofSeconds(1)));
        LeecherPeer lingering = swarm.leecher();
        lingering.fetcher().setLinkLimits(LinkLimits.requester().withIdleTimeout(Duration.ofMinutes(5)));
        lingering.fetch(a);
        Poll.until(Duration.ofSeconds(10), "the holder to close the idle link", () -> seeder.node().linkCount() == 0);
        assertEquals(List.of("idle for 1 s"), unlinkReasons(seeder.events(), lingering.id()));
        Poll.until(Duration.ofSeconds(5), "the requester's end to close", () -> lingering.fetcher().linkCount() == 0);
        // And its next fetch simply makes a new link.
        lingering.store().remove(a);
        assertEquals("peer:" + seeder.id(), lingering.fetch(a).source());
        assertEquals(2, linksOpened(lingering.events(), seeder.id()));
    }

    @Test
    void candidatesThatComeBeforeTheOfferAreKeptAndUsed() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(56, 150_000);
        ResourceId id = swarm.publish("early.png", body);
        SeederPeer seeder = swarm.seeder("early.png");
        RawSignalingClient signaling = RawSignalingClient.welcomed(swarm.server().url(), "peer");
        try {
            signaling.send("{\"type\":\"want\",\"hash\":\"" + id.text() + "\",\"count\":1}");
            signaling.next("match");

            // A trickling offerer whose signals the test carries by hand, in the order node-datachannel sends them.
            List<ObjectNode> candidates = new CopyOnWriteArrayList<>();
            CompletableFuture<ObjectNode> offer = new CompletableFuture<>();
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            TransferClient[] client = new TransferClient[1];
            PeerLink link = PeerLink.offer(RtcRuntime.shared(), LinkConfig.withIceServers(List.of()), seeder.id(),
                    new PeerLink.Listener() {
                        @Override
                        public void onSignal(PeerLink l, ObjectNode signal) {
                            if (signal.has("sdp")) {
                                offer.complete(signal);
                            } else {
                                candidates.add(signal);
                            }
                        }

                        @Override
                        public void onMessage(PeerLink l, byte[] message) {
                            try {
                                client[0].onMessage(message);
                            } catch (Exception e) {
                                received.completeExceptionally(e);
                            }
                        }
                    });
            try {
                ObjectNode description = offer.get(10, TimeUnit.SECONDS);
                Poll.until(Duration.ofSeconds(10), "our candidates", () -> !candidates.isEmpty());
                Thread.sleep(300); // the rest of them: host candidates come together
                // Every candidate first, then the offer without any in its SDP.
                for (ObjectNode candidate : candidates) {
                    signaling.send(signal(seeder.id(), candidate));
                }
                signaling.send(signal(seeder.id(), withoutCandidates(description)));

                // The seeder's own candidates never reach us, nor any in its answer: only the
                // candidates it kept from before the offer can connect us.
                JsonNode answer = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (answer == null && System.nanoTime() < deadline) {
                    JsonNode m = signaling.nextOrNull(200);
                    if (m != null && "answer".equals(m.path("data").path("type").asText())) {
                        answer = m.get("data");
                    }
                }
                assertTrue(answer != null, "the seeder answered");
                link.acceptSignal(withoutCandidates((ObjectNode) answer));
                link.opened().get(15, TimeUnit.SECONDS);

                // And the link carries the transfer protocol: the seeder serves the resource over it.
                client[0] = new TransferClient(seeder.id(), link::send, TransferObserver.NONE);
                try (VerifiedFile file = client[0].fetch(id, Files.createTempDirectory("early-"), 1 << 20)
                        .get(15, TimeUnit.SECONDS)) {
                    assertEquals(body.length, file.size());
                }
            } finally {
                link.close();
            }
        } finally {
            signaling.close();
        }
    }

    private static String signal(String to, JsonNode data) {
        ObjectNode signal = MessageCodec.mapper().createObjectNode();
        signal.put("type", "signal");
        signal.put("to", to);
        signal.set("data", data);
        return signal.toString();
    }

    private static ObjectNode withoutCandidates(ObjectNode description) {
        ObjectNode copy = description.deepCopy();
        String sdp = description.get("sdp").asText();
        StringBuilder kept = new StringBuilder();
        for (String line : sdp.split("\r\n")) {
            if (!line.startsWith("a=candidate:") && !line.startsWith("a=end-of-candidates")) {
                kept.append(line).append("\r\n");
            }
        }
        copy.put("sdp", kept.toString());
        return copy;
    }
}
