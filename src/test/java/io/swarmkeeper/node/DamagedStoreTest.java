package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.Swarm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeder whose disk damaged or lost what it stored, in a real swarm: it must never serve the
 * damage, never be taken for a liar, and get its manifest's resources back by itself.
 */
@Timeout(120)
class DamagedStoreTest {
    private Swarm swarm;

    @BeforeEach
    void start() throws Exception {
        swarm = Swarm.start();
    }

    @AfterEach
    void stop() throws Exception {
        swarm.close();
    }

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
