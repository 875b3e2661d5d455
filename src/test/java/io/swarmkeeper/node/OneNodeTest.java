package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeder is one peer: what it fetches (demanded resources, what its store lost, its user's own
 * fetches) it asks for with its own id, over its one connection and its one registry of links;
 * and every event says which node saw it and what it knows of the other side.
 */
@Timeout(120)
class OneNodeTest extends InSwarm {

    @Test
    void aSeederPicksUpADemandAsItselfOverItsOneConnection() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(51, 700_000);
        ResourceId id = swarm.publish("wanted.bin", body);
        SeederPeer holder = swarm.seeder("wanted.bin");
        SeederPeer taker = swarm.seeder(); // holds nothing, takes demand from the site
        taker.node().acceptDemandFrom(List.of(swarm.origin().base() + "/"));
        try (RawSignalingClient asker = RawSignalingClient.welcomed(swarm.server().url(), "peer")) {
            asker.send("{\"type\":\"want\",\"hash\":\"" + id.text() + "\",\"origin\":\"" + swarm.origin().url("wanted.bin") + "\"}");
            Poll.until(Duration.ofSeconds(20), "the seeder to pick it up", () -> swarm.server().holds(taker.id(), id));

            assertEquals(3, swarm.server().peerCount(), "the holder, the seeder that took the demand, the asker: one peer each");
            assertArrayEquals(body, taker.store().readAll(id).orElseThrow());
            // The holder served the seeder itself: the id the server gave it, on a link it offered.
            assertTrue(holder.events().stream().anyMatch(e -> e instanceof SwarmEvent.Transfer t && t.finished()
                    && t.failure() == null && t.direction() == Direction.UPLOAD && t.peerId().equals(taker.id())
                    && t.id().equals(id)), "uploaded to " + taker.id() + ": " + holder.events());
            SwarmEvent.PeerLinked served = linked(holder, taker.id(), false);
            assertEquals(PeerRole.SEEDER, served.role(), "the holder learns the asker's role from its signals");
            assertEquals("random", served.matchReason());
            assertEquals(holder.id(), served.node());
            SwarmEvent.PeerLinked fetched = linked(taker, holder.id(), true);
            assertEquals(PeerRole.SEEDER, fetched.role(), "the asker learns the holder's role from the match");
            assertEquals("random", fetched.matchReason());
            assertTrue(taker.events().stream().anyMatch(e -> e instanceof SwarmEvent.HashCheck h && h.passed()
                    && h.id().equals(id) && h.source().equals("peer:" + holder.id()) && h.node().equals(taker.id())));
        }
    }

    @Test
    void aSeederFetchesWhatItsStoreLostAsItself() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(52, 500_000);
        ResourceId id = swarm.publish("kept.bin", body);
        SeederPeer damaged = swarm.seeder("kept.bin");
        SeederPeer other = swarm.seeder("kept.bin");
        damaged.node().setRefetchWaits(Duration.ofMillis(200), Duration.ofSeconds(5));
        swarm.origin().close(); // only the other seeder can give it back
        Files.delete(DamagedStoreTest.blobOf(damaged.directory(), id));
        assertEquals(List.of(id), damaged.store().scrub(10).dropped());

        Poll.until(Duration.ofSeconds(20), "the seeder to fetch it again", () -> damaged.store().contains(id));
        assertArrayEquals(body, damaged.store().readAll(id).orElseThrow());
        assertEquals(2, swarm.server().peerCount(), "two seeders, two peers");
        assertTrue(other.events().stream().anyMatch(e -> e instanceof SwarmEvent.Transfer t && t.finished()
                && t.failure() == null && t.direction() == Direction.UPLOAD && t.peerId().equals(damaged.id())),
                "served to the damaged seeder's own id");
        Poll.until(Duration.ofSeconds(5), "announced again", () -> swarm.server().holds(damaged.id(), id));
    }

    /**
     * Two seeders fetch from each other at once: each holds a link it offered and one it answered
     * with the same peer, and signals (offers, answers, candidates) find the right one. A link
     * kept for reuse stays in use beside the other way's.
     */
    @Test
    void twoSeedersFetchFromEachOtherAtOnceOverALinkEachWay() throws Exception {
        byte[] first = DemoOrigin.sampleBytes(53, 1_500_000);
        byte[] second = DemoOrigin.sampleBytes(54, 1_500_000);
        ResourceId firstId = swarm.publish("first.bin", first);
        ResourceId secondId = swarm.publish("second.bin", second);
        SeederPeer a = swarm.seeder("first.bin");
        SeederPeer b = swarm.seeder("second.bin");
        swarm.origin().close(); // from peers, or not at all

        for (int round = 0; round < 2; round++) {
            CompletableFuture<FetchResult> aGets = CompletableFuture.supplyAsync(() -> fetch(a, secondId));
            CompletableFuture<FetchResult> bGets = CompletableFuture.supplyAsync(() -> fetch(b, firstId));
            FetchResult toA = aGets.get(60, TimeUnit.SECONDS);
            FetchResult toB = bGets.get(60, TimeUnit.SECONDS);
            try {
                assertEquals("peer:" + b.id(), toA.source());
                assertEquals("peer:" + a.id(), toB.source());
                assertArrayEquals(second, toA.file().open().readAllBytes());
                assertArrayEquals(first, toB.file().open().readAllBytes());
            } finally {
                toA.file().close();
                toB.file().close();
            }
        }
        // Each way one link, the second round over the links the first kept.
        for (SeederPeer[] pair : new SeederPeer[][] {{a, b}, {b, a}}) {
            long offered = pair[0].events().stream().filter(e -> e instanceof SwarmEvent.PeerLinked p
                    && p.peerId().equals(pair[1].id()) && p.weOffered()).count();
            long answered = pair[0].events().stream().filter(e -> e instanceof SwarmEvent.PeerLinked p
                    && p.peerId().equals(pair[1].id()) && !p.weOffered()).count();
            assertEquals(1, offered, pair[0].id() + " offered once to " + pair[1].id());
            assertEquals(1, answered, pair[0].id() + " answered once " + pair[1].id());
        }
        assertEquals(2, swarm.server().peerCount());
    }

    private static FetchResult fetch(SeederPeer peer, ResourceId id) {
        try {
            return peer.seeder().fetcher().fetch(id, null);
        } catch (FetchException e) {
            throw new AssertionError(e);
        }
    }

    /** What each side of a link knows of the other, and who observed it. */
    @Test
    void eachSideOfALinkKnowsTheOthersRoleWhyTheyWereMatchedAndTheRoundTrip() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(55, 200_000);
        ResourceId id = swarm.publish("photo.jpg", body);
        SeederPeer seeder = swarm.seeder("photo.jpg");
        LeecherPeer leecher = swarm.leecher();
        assertEquals("peer:" + seeder.id(), leecher.fetch(id).source());

        SwarmEvent.PeerLinked mine = linked(leecher.events(), seeder.id(), true);
        assertEquals(leecher.id(), mine.node());
        assertEquals(PeerRole.SEEDER, mine.role());
        assertEquals("random", mine.matchReason());
        assertNotNull(mine.roundTrip(), "libwebrtc's statistics give the round trip as the link opens");
        assertTrue(mine.roundTrip().compareTo(Duration.ofSeconds(1)) < 0, "within the namespace: " + mine.roundTrip());
        SwarmEvent.PeerLinked theirs = linked(seeder, leecher.id(), false);
        assertEquals(seeder.id(), theirs.node());
        assertEquals(PeerRole.PEER, theirs.role(), "the fetch said hello as a peer");
        assertEquals("random", theirs.matchReason());
        assertNotNull(theirs.roundTrip());
        for (SwarmEvent e : seeder.events()) {
            assertEquals(seeder.id(), e.node(), "every event of the seeder names it: " + e);
        }
        for (SwarmEvent e : leecher.events()) {
            assertEquals(leecher.id(), e.node(), "every event of the leecher names it: " + e);
        }
    }

    @Test
    void withoutStatisticsTheFirstRequestsAnswerTellsTheRoundTrip() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(56, 200_000);
        ResourceId id = swarm.publish("photo.jpg", body);
        SeederPeer seeder = swarm.seeder("photo.jpg");
        LeecherPeer leecher = swarm.leecher();
        leecher.fetcher().node().links().measureRoundTripsWith(link -> CompletableFuture.completedFuture(null));
        assertEquals("peer:" + seeder.id(), leecher.fetch(id).source());

        assertNull(linked(leecher.events(), seeder.id(), true).roundTrip());
        SwarmEvent.RoundTrip measured = leecher.events().stream().filter(e -> e instanceof SwarmEvent.RoundTrip)
                .map(e -> (SwarmEvent.RoundTrip) e).findFirst().orElseThrow(() -> new AssertionError(leecher.events()));
        assertEquals(seeder.id(), measured.peerId());
        assertEquals(leecher.id(), measured.node());
        assertTrue(!measured.roundTrip().isNegative() && measured.roundTrip().compareTo(Duration.ofSeconds(5)) < 0,
                "a first request answered: " + measured.roundTrip());
        int linkedAt = leecher.events().indexOf(linked(leecher.events(), seeder.id(), true));
        assertTrue(leecher.events().indexOf(measured) > linkedAt, "after the link, once the first request was answered");
    }

    /** A node with no id yet is named by its label; once welcomed, by its id. */
    @Test
    void aNodeIsNamedByItsLabelUntilTheServerGivesItAnId() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(57, 50_000);
        ResourceId id = swarm.publish("a.bin", body);
        ResourceId later = swarm.publish("b.bin", DemoOrigin.sampleBytes(58, 50_000));
        SwarmEvents events = new SwarmEvents();
        List<SwarmEvent> seen = new CopyOnWriteArrayList<>();
        events.subscribe(seen::add);
        Path dir = Files.createTempDirectory("one-node-");
        try (ContentStore store = ContentStore.open(dir);
             Node node = Node.persistent(swarm.serverUri(), PeerRole.SEEDER, "my-seeder", events);
             SeederNode seeder = new SeederNode(node, new SeederConfig(swarm.serverUri(), dir, 2), store, store,
                     UnaryOperator.identity())) {
            seeder.setOriginAddresses(AddressPolicy.PRIVATE_ALLOWED);
            seeder.seed(new Manifest(List.of(new Manifest.Entry(swarm.origin().url("a.bin"), id))));
            assertTrue(seen.stream().anyMatch(e -> e instanceof SwarmEvent.Holding h && h.id().equals(id)));
            assertTrue(seen.stream().allMatch(e -> e.node().equals("my-seeder")), seen.toString());

            seeder.start();
            seen.clear();
            seeder.seed(new Manifest(List.of(new Manifest.Entry(swarm.origin().url("b.bin"), later))));
            assertTrue(seen.stream().anyMatch(e -> e instanceof SwarmEvent.Holding h && h.id().equals(later)));
            assertTrue(seen.stream().allMatch(e -> e.node().equals(seeder.peerId())), seen.toString());
            assertEquals(seeder.peerId(), node.name());
        }
    }

    private static SwarmEvent.PeerLinked linked(SeederPeer observer, String peer, boolean weOffered) {
        return linked(observer.events(), peer, weOffered);
    }

    private static SwarmEvent.PeerLinked linked(List<SwarmEvent> events, String peer, boolean weOffered) {
        return events.stream().filter(e -> e instanceof SwarmEvent.PeerLinked p && p.peerId().equals(peer)
                        && p.weOffered() == weOffered).map(e -> (SwarmEvent.PeerLinked) e).findFirst()
                .orElseThrow(() -> new AssertionError("no link with " + peer + " (we offered: " + weOffered + ") in " + events));
    }
}
