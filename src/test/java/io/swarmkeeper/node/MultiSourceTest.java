package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One resource from several seeders at once over real WebRTC links, with seeders that vanish, lie or break the protocol. */
@Timeout(180)
class MultiSourceTest extends InSwarm {
    private static final int MIB = 1 << 20;


    /** Bytes the leecher received in every download request it made, finished or not. */
    private static long bytesReceived(LeecherPeer leecher, ResourceId id) {
        return leecher.events().stream()
                .filter(e -> e instanceof SwarmEvent.Transfer t && t.id().equals(id) && t.finished()
                        && t.direction() == Direction.DOWNLOAD)
                .mapToLong(e -> ((SwarmEvent.Transfer) e).doneBytes()).sum();
    }

    private static long bytesUploaded(SeederPeer seeder) {
        return seeder.events().stream()
                .filter(e -> e instanceof SwarmEvent.Transfer t && t.finished() && t.direction() == Direction.UPLOAD)
                .mapToLong(e -> ((SwarmEvent.Transfer) e).doneBytes()).sum();
    }

    @Test
    void threeSeedersEachSendPartOfOneResource() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(31, 8 * MIB);
        ResourceId id = swarm.publish("video.mp4", body);
        List<SeederPeer> seeders = List.of(swarm.seeder("video.mp4"), swarm.seeder("video.mp4"), swarm.seeder("video.mp4"));
        swarm.origin().close();

        LeecherPeer leecher = swarm.leecher();
        FetchResult result = leecher.fetch(id);

        assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());
        assertTrue(result.source().startsWith("peers:"), "several senders: " + result.source());
        long senders = seeders.stream().filter(s -> bytesUploaded(s) > 0).count();
        assertTrue(senders >= 2, "at least two seeders sent ranges, " + senders + " did");
        assertEquals(body.length, seeders.stream().mapToLong(MultiSourceTest::bytesUploaded).sum(),
                "together they sent each byte exactly once");
        assertEquals(body.length, bytesReceived(leecher, id));
    }

    @Test
    void merkleRootIdsTravelTheWholePath() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(37, 2 * MIB + 12_345);
        ResourceId id = swarm.publish("tiles.bin", body, io.swarmkeeper.content.HashAlgorithm.MERKLE_SHA256);
        assertTrue(id.text().startsWith("mt256-"), id.text());
        swarm.seeder("tiles.bin");
        swarm.seeder("tiles.bin");
        swarm.origin().close();
        LeecherPeer leecher = swarm.leecher();
        leecher.fetch(id);
        assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());
    }

    /** Pieces whose bytes come in several chunks are gathered, checked and written whole. */
    @Test
    void merkleRootIdsArriveInChunksSmallerThanAPiece() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(38, MIB + 54_321);
        ResourceId id = swarm.publish("small.tiles", body, io.swarmkeeper.content.HashAlgorithm.MERKLE_SHA256);
        swarm.smallChunkSeeder("small.tiles");
        swarm.origin().close();
        LeecherPeer leecher = swarm.leecher();
        FetchResult result = leecher.fetch(id);
        assertTrue(result.source().startsWith("peer"), result.source());
        assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());
    }

    @Test
    void aSeederKilledMidTransferIsReplacedFromTheSameOffset() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(32, 24 * MIB);
        ResourceId id = swarm.publish("disk.img", body);
        List<SeederPeer> seeders = List.of(swarm.seeder("disk.img"), swarm.seeder("disk.img"), swarm.seeder("disk.img"));
        swarm.origin().close();
        LeecherPeer leecher = swarm.leecher();

        CompletableFuture<FetchResult> fetching = CompletableFuture.supplyAsync(() -> {
            try {
                return leecher.fetch(id);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // Kill the first seeder seen in the middle of a range.
        SeederPeer[] victim = new SeederPeer[1];
        Poll.until(Duration.ofSeconds(30), "a seeder in the middle of a range", () -> {
            for (SeederPeer s : seeders) {
                boolean midRange = s.events().stream().anyMatch(e -> e instanceof SwarmEvent.Transfer t
                        && t.direction() == Direction.UPLOAD && !t.finished() && t.doneBytes() >= 64 * 1024);
                if (midRange) {
                    victim[0] = s;
                    return true;
                }
            }
            return fetching.isDone();
        });
        assertFalse(fetching.isDone(), "the fetch was still running when a seeder was killed");
        String victimId = victim[0].id();
        victim[0].close();

        FetchResult result = fetching.get(60, TimeUnit.SECONDS);
        assertArrayEquals(body, leecher.store().readAll(id).orElseThrow(), "verified, from the others");
        assertEquals(body.length, bytesReceived(leecher, id), "no byte was received twice: the rest of the range came from its offset");
        assertFalse(leecher.fetcher().distrusted().contains(victimId), "vanishing is not lying");
        assertTrue(result.source().startsWith("peer"), result.source());
    }

    @Test
    void aLiarAmongHonestSeedersIsBlamedForItsOwnRangesOnly() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(33, 6 * MIB);
        ResourceId id = swarm.publish("atlas.pdf", body);
        SeederPeer liar = swarm.lyingSeeder("atlas.pdf");
        SeederPeer honest1 = swarm.seeder("atlas.pdf");
        SeederPeer honest2 = swarm.seeder("atlas.pdf");

        LeecherPeer leecher = swarm.leecher();
        // Holders join as their links open; fetch until the liar was given a range once.
        for (int i = 0; i < 5 && leecher.fetcher().distrusted().isEmpty(); i++) {
            leecher.fetch(id, "atlas.pdf");
            assertArrayEquals(body, leecher.store().readAll(id).orElseThrow(), "only verified bytes are stored");
            leecher.store().remove(id);
        }
        assertEquals(Set.of(liar.id()), leecher.fetcher().distrusted(), "the liar, and only the liar");
        List<String> blame = leecher.events().stream()
                .filter(e -> e instanceof SwarmEvent.HashCheck h && !h.passed() && h.source().equals("peer:" + liar.id()))
                .map(e -> ((SwarmEvent.HashCheck) e).detail()).collect(Collectors.toList());
        assertEquals(1, blame.size(), blame.toString());
        assertTrue(blame.get(0).startsWith("sent bad bytes in "), blame.get(0));
        assertFalse(leecher.fetcher().distrusted().contains(honest1.id()) || leecher.fetcher().distrusted().contains(honest2.id()));
        Poll.until(Duration.ofSeconds(5), "the server to hear of the liar", () -> swarm.server().reportersOf(liar.id()) == 1);
    }

    @Test
    void withAMerkleRootALiarIsCaughtOnTheFirstBadPieceWithoutAnyGoodCopy() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(38, 6 * MIB);
        ResourceId id = swarm.publish("atlas.tiles", body, io.swarmkeeper.content.HashAlgorithm.MERKLE_SHA256);
        SeederPeer liar = swarm.lyingSeeder("atlas.tiles");
        swarm.seeder("atlas.tiles");
        swarm.seeder("atlas.tiles");
        swarm.origin().close(); // no origin: nothing to compare with but the tree itself

        LeecherPeer leecher = swarm.leecher();
        for (int i = 0; i < 5 && leecher.fetcher().distrusted().isEmpty(); i++) {
            FetchResult result = leecher.fetch(id);
            assertArrayEquals(body, leecher.store().readAll(id).orElseThrow(), "the others replaced the bad piece");
            assertTrue(result.source().startsWith("peer"), result.source());
            leecher.store().remove(id);
        }
        assertEquals(Set.of(liar.id()), leecher.fetcher().distrusted());
        String detail = leecher.events().stream()
                .filter(e -> e instanceof SwarmEvent.HashCheck h && !h.passed() && h.source().equals("peer:" + liar.id()))
                .map(e -> ((SwarmEvent.HashCheck) e).detail()).findFirst().orElseThrow();
        assertTrue(detail.startsWith("sent a bad piece: 65536 bytes at "), detail);
        Poll.until(Duration.ofSeconds(5), "the server to hear of the liar", () -> swarm.server().reportersOf(liar.id()) == 1);
    }

    @Test
    void pieceHashesThatDoNotLeadToTheRootAreAViolation() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(39, 3 * MIB);
        ResourceId id = swarm.publish("forged.bin", body, io.swarmkeeper.content.HashAlgorithm.MERKLE_SHA256);
        SeederPeer forger = swarm.hashForger("forged.bin");
        swarm.seeder("forged.bin");
        swarm.origin().close();
        LeecherPeer leecher = swarm.leecher();
        for (int i = 0; i < 5 && leecher.fetcher().distrusted().isEmpty(); i++) {
            leecher.fetch(id);
            assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());
            leecher.store().remove(id);
        }
        assertEquals(Set.of(forger.id()), leecher.fetcher().distrusted());
        assertTrue(leecher.events().stream().anyMatch(e -> e instanceof SwarmEvent.PeerDistrusted d && d.peerId().equals(forger.id())
                && d.reason().contains("piece hashes that do not lead to the resource's root")));
    }

    @Test
    void aProtocolBreakerIsDroppedWithoutHarmingTheOtherTransfers() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(34, 6 * MIB);
        ResourceId id = swarm.publish("map.bin", body);
        SeederPeer breaker = swarm.protocolBreaker("map.bin");
        swarm.seeder("map.bin");
        swarm.seeder("map.bin");
        swarm.origin().close();

        LeecherPeer leecher = swarm.leecher();
        for (int i = 0; i < 5 && leecher.fetcher().distrusted().isEmpty(); i++) {
            leecher.fetch(id);
            assertArrayEquals(body, leecher.store().readAll(id).orElseThrow(), "the others delivered every byte");
            leecher.store().remove(id);
        }
        assertEquals(Set.of(breaker.id()), leecher.fetcher().distrusted());
        Poll.until(Duration.ofSeconds(5), "the server to hear of the breaker", () -> swarm.server().reportersOf(breaker.id()) == 1);
        // Reported, it is not offered to this leecher again.
        long linksBefore = countLinks(leecher, breaker.id());
        leecher.fetch(id);
        assertEquals(linksBefore, countLinks(leecher, breaker.id()), "no new link to the breaker");
    }

    @Test
    void aSeederThatStallsIsDroppedAndAfterTwoStrikesDistrusted() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(36, 3 * MIB);
        ResourceId id = swarm.publish("slow.bin", body);
        SeederPeer staller = swarm.staller("slow.bin");
        swarm.seeder("slow.bin");
        swarm.origin().close();
        Fetcher.Options quick = new Fetcher.Options(Duration.ofSeconds(10), Duration.ofSeconds(1), 1L << 31, 4);
        LeecherPeer leecher = swarm.leecher(quick);

        for (int i = 0; i < 8 && !leecher.fetcher().distrusted().contains(staller.id()); i++) {
            leecher.fetch(id);
            assertArrayEquals(body, leecher.store().readAll(id).orElseThrow(), "the honest seeder took over the stalled ranges");
            leecher.store().remove(id);
        }
        assertEquals(Set.of(staller.id()), leecher.fetcher().distrusted(), "two stalls and it is out");
        assertTrue(leecher.events().stream().anyMatch(e -> e instanceof SwarmEvent.PeerDistrusted d
                && d.peerId().equals(staller.id()) && d.reason().equals("stalled " + Fetcher.STRIKES_TO_DISTRUST + " times")));
        assertTrue(leecher.events().stream().noneMatch(e -> e instanceof SwarmEvent.HashCheck h && !h.passed()),
                "stalling is not a failed hash check");
        Poll.until(Duration.ofSeconds(5), "the server to hear of the staller", () -> swarm.server().reportersOf(staller.id()) == 1);
    }

    @Test
    void uploadAndDownloadCapsHoldAndChangeWhileRunning() throws Exception {
        int size = 3 * MIB / 2;
        byte[] body = DemoOrigin.sampleBytes(35, size);
        ResourceId id = swarm.publish("capped.bin", body);
        SeederPeer seeder = swarm.seeder("capped.bin");
        swarm.origin().close();
        LeecherPeer leecher = swarm.leecher();
        long burst = 256 * 1024;

        seeder.node().setUploadRate(1_000_000);
        long t = System.nanoTime();
        leecher.fetch(id);
        long cappedUpload = System.nanoTime() - t;
        assertTrue(cappedUpload >= (size - burst) * 1_000L, "1 MB/s upload cap held: " + cappedUpload / 1_000_000 + " ms");
        leecher.store().remove(id);

        seeder.node().setUploadRate(0);
        leecher.fetcher().setDownloadRate(1_000_000);
        t = System.nanoTime();
        leecher.fetch(id);
        long cappedDownload = System.nanoTime() - t;
        assertTrue(cappedDownload >= (size - burst) * 1_000L, "1 MB/s download cap held: " + cappedDownload / 1_000_000 + " ms");
        assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());

        seeder.node().setUploadSlots(1);
        assertEquals(1, seeder.node().uploadSlots());
        seeder.node().setUploadSlots(8);
        assertEquals(8, seeder.node().uploadSlots());
    }

    private static long countLinks(LeecherPeer leecher, String peer) {
        return leecher.events().stream().filter(e -> e instanceof SwarmEvent.PeerLinked p && p.peerId().equals(peer)).count();
    }
}
