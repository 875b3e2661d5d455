package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.InSwarm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeder whose disk damaged or lost what it stored, in a real swarm: it must never serve the
 * damage, never be taken for a liar, and get its manifest's resources back by itself.
 */
@Timeout(120)
class DamagedStoreTest extends InSwarm {

    @Test
    void bytesThatRottedWhileTheSeederWasStoppedAreDroppedNotServedAndNobodyBlamesTheSeeder() throws Exception {
        byte[] tour = DemoOrigin.sampleBytes(31, 900_000);
        byte[] plan = DemoOrigin.sampleBytes(32, 300_000);
        ResourceId tourId = swarm.publish("tour.bin", tour);
        ResourceId planId = swarm.publish("plan.bin", plan, HashAlgorithm.MERKLE_SHA256);
        SeederPeer seeder = swarm.seeder("tour.bin", "plan.bin");

        seeder = swarm.restart(seeder, dir -> {
            flipOneBitKeepingTheFileTime(blobOf(dir, tourId), 700_001);
            flipOneBitKeepingTheFileTime(blobOf(dir, planId), 5);
        });
        assertTrue(seeder.store().contains(tourId) && seeder.store().contains(planId),
                "the restarted seeder still announces both: nothing has read them yet");

        LeecherPeer leecher = swarm.leecher();
        for (String name : List.of("tour.bin", "plan.bin")) {
            ResourceId id = swarm.origin().resources().get(name);
            FetchResult result = leecher.fetch(id, name);
            assertEquals("origin", result.source(), name + ": the seeder had no true copy to give");
            assertArrayEquals(name.equals("tour.bin") ? tour : plan, leecher.store().readAll(id).orElseThrow());
        }

        String seederId = seeder.id();
        assertFalse(leecher.fetcher().distrusted().contains(seederId), "an honest seeder with a bad disk is no liar");
        assertTrue(leecher.events().stream().noneMatch(e -> e instanceof SwarmEvent.PeerDistrusted
                || (e instanceof SwarmEvent.HashCheck h && !h.passed())), "no failed check, nobody distrusted");
        assertEquals(0, swarm.server().reportersOf(seederId), "and nobody reported it");
        for (ResourceId id : List.of(tourId, planId)) {
            assertTrue(seeder.events().stream().anyMatch(e -> e instanceof SwarmEvent.Dropped d
                    && d.id().equals(id) && d.why().equals("corrupt")), "the seeder dropped its bad copy of " + id.shortForm());
            Optional<byte[]> kept = seeder.store().readAll(id);
            assertTrue(kept.isEmpty() || ResourceId.of(id.algorithm(), kept.get()).equals(id),
                    "whatever the seeder holds now is true");
        }
    }

    @Test
    void aResourceTheSeederLostComesBackFromItsOriginByItself() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(41, 600_000);
        ResourceId id = swarm.publish("photo.bin", body);
        SeederPeer seeder = swarm.seeder("photo.bin");
        seeder.node().setRefetchWaits(Duration.ofMillis(200), Duration.ofSeconds(5));
        Files.delete(blobOf(seeder.directory(), id)); // the disk lost it while the seeder runs

        LeecherPeer first = swarm.leecher();
        assertEquals("origin", first.fetch(id, "photo.bin").source(), "the seeder found it gone when asked");
        assertTrue(seeder.events().stream().anyMatch(e -> e instanceof SwarmEvent.Dropped d && d.why().equals("missing")));

        Poll.until(Duration.ofSeconds(20), "the seeder to fetch it again", () -> seeder.store().contains(id));
        assertArrayEquals(body, seeder.store().readAll(id).orElseThrow());
        swarm.awaitHolderOf(id);
        swarm.origin().close(); // from now on only the seeder has it
        FetchResult again = swarm.leecher().fetch(id);
        assertEquals("peer:" + seeder.id(), again.source(), "announced and served again");
    }

    @Test
    void aResourceTheSeederLostComesBackFromPeersWhenItsOriginIsGone() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(42, 400_000);
        ResourceId id = swarm.publish("doc.bin", body);
        SeederPeer damaged = swarm.seeder("doc.bin");
        SeederPeer other = swarm.seeder("doc.bin");
        damaged.node().setRefetchWaits(Duration.ofMillis(200), Duration.ofSeconds(5));
        swarm.origin().close();

        flipOneBitKeepingTheFileTime(blobOf(damaged.directory(), id), 1234);
        assertEquals(List.of(id), damaged.store().scrub(10).dropped(), "the scrub finds the damage");

        Poll.until(Duration.ofSeconds(20), "the seeder to fetch it again", () -> damaged.store().contains(id));
        assertArrayEquals(body, damaged.store().readAll(id).orElseThrow());
        assertTrue(damaged.events().stream().anyMatch(e -> e instanceof SwarmEvent.HashCheck h && h.passed()
                && h.id().equals(id) && h.source().equals("peer:" + other.id())), "from the other seeder");
    }

    @Test
    void aBadOriginIsTriedAgainLessAndLessOftenAndTheResourceComesBackOnceItIsGood() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(43, 200_000);
        ResourceId id = swarm.publish("x.bin", body);
        SeederPeer seeder = swarm.seeder("x.bin");
        Duration first = Duration.ofMillis(300);
        Duration max = Duration.ofMillis(2400);
        seeder.node().setRefetchWaits(first, max);
        swarm.origin().lieAbout("x.bin", DemoOrigin.sampleBytes(44, 200_000));
        Files.delete(blobOf(seeder.directory(), id));
        assertEquals(List.of(id), seeder.store().scrub(10).dropped());

        Poll.until(Duration.ofSeconds(20), "three failed tries", () -> plansFor(seeder, id).size() >= 4);
        List<SwarmEvent> seen = List.copyOf(seeder.events());
        List<SwarmEvent.Refetching> plans = seen.stream().filter(e -> e instanceof SwarmEvent.Refetching r
                && r.id().equals(id)).map(e -> (SwarmEvent.Refetching) e).toList();
        List<SwarmEvent.HashCheck> tries = seen.stream().filter(e -> e instanceof SwarmEvent.HashCheck h && !h.passed()
                && h.id().equals(id) && h.source().equals("origin")).map(e -> (SwarmEvent.HashCheck) e).toList();
        assertTrue(tries.size() == plans.size() - 1 || tries.size() == plans.size(),
                "one try per plan, no more: " + tries.size() + " tries, " + plans.size() + " plans");
        for (int i = 0; i < plans.size(); i++) {
            SwarmEvent.Refetching plan = plans.get(i);
            assertEquals(i, plan.attempt());
            long ceiling = Math.min(max.toMillis(), first.toMillis() << i);
            long wait = Duration.between(plan.at(), plan.nextTry()).toMillis();
            assertTrue(wait >= ceiling / 2 - 5 && wait <= ceiling + 5, "try " + (i + 1) + " waits " + wait + " ms");
            if (i < tries.size()) {
                assertFalse(tries.get(i).at().isBefore(plan.nextTry().minusMillis(20)),
                        "try " + (i + 1) + " came no earlier than planned");
            }
        }

        swarm.origin().stopLyingAbout("x.bin");
        Poll.until(Duration.ofSeconds(10), "the resource to come back once its origin is good",
                () -> seeder.store().contains(id));
        assertArrayEquals(body, seeder.store().readAll(id).orElseThrow());
        // The store holds it a moment before the refetch is crossed off (it failed once when asserted at once).
        Poll.until(Duration.ofSeconds(5), "the refetch crossed off", () -> seeder.node().awaitingRefetch().isEmpty());
    }

    private static List<SwarmEvent> plansFor(SeederPeer seeder, ResourceId id) {
        return seeder.events().stream().filter(e -> e instanceof SwarmEvent.Refetching r && r.id().equals(id)).toList();
    }

    /** The stored file of {@code id} under a store directory. */
    static Path blobOf(Path storeDir, ResourceId id) throws IOException {
        try (Stream<Path> files = Files.walk(storeDir.resolve("blobs"))) {
            return files.filter(p -> p.getFileName().toString().equals(id.key())).findFirst()
                    .orElseThrow(() -> new AssertionError("no blob of " + id.shortForm() + " in " + storeDir));
        }
    }

    /** Flips one bit and puts the file's time back, as a fault of the medium would leave it. */
    static void flipOneBitKeepingTheFileTime(Path file, int offset) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x08;
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, before);
    }
}
