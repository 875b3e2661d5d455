package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.manifest.ManifestSignature;
import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeder reads its manifests again, on a schedule or when asked, so that a site that publishes
 * new resources is seeded without a restart and what it took down is no longer announced (but
 * kept until evicted); a manifest that cannot be read keeps the last good one, and says so.
 */
@Timeout(120)
class ManifestRefreshTest extends InSwarm {
    private final List<SwarmEvent> events = new CopyOnWriteArrayList<>();

    private Seeder.Builder seederOf(String manifest) throws Exception {
        SwarmEvents bus = new SwarmEvents();
        bus.subscribe(events::add);
        return Seeder.builder(swarm.serverUri(), Files.createTempDirectory("refresh-"))
                .events(bus)
                .originAddresses(AddressPolicy.PRIVATE_ALLOWED)
                .manifest(manifest);
    }

    private List<SwarmEvent.ManifestRead> reads() {
        return events.stream().filter(e -> e instanceof SwarmEvent.ManifestRead).map(e -> (SwarmEvent.ManifestRead) e).toList();
    }

    @Test
    void whatTheSitePublishesIsSeededOnTheScheduleAndWhatItTookDownIsNoLongerAnnounced() throws Exception {
        byte[] listing = DemoOrigin.sampleBytes(61, 80_000);
        byte[] photo = DemoOrigin.sampleBytes(62, 120_000);
        ResourceId listingId = swarm.publish("listing.json", listing);
        String manifest = swarm.origin().manifestUrl().toString();
        try (Seeder seeder = seederOf(manifest).manifestRefresh(Duration.ofMillis(300)).start()) {
            Poll.until(Duration.ofSeconds(5), "announced", () -> swarm.server().holds(seeder.peerId(), listingId));
            assertEquals(new SwarmEvent.ManifestRead(reads().get(0).at(), seeder.peerId(), manifest, 1, 1, 0, null),
                    reads().get(0), "the first reading adds all it lists");

            ResourceId photoId = swarm.publish("photo.jpg", photo); // the site publishes a new resource
            Poll.until(Duration.ofSeconds(10), "the new resource to be seeded", () -> swarm.server().holds(seeder.peerId(), photoId));
            assertArrayEquals(photo, seeder.store().readAll(photoId).orElseThrow());
            assertTrue(reads().stream().anyMatch(r -> r.added() == 1 && r.resources() == 2 && r.failure() == null), reads().toString());

            swarm.origin().remove("listing.json"); // and takes one down
            Poll.until(Duration.ofSeconds(10), "the server to hear it is no longer held",
                    () -> swarm.server().holderCount(listingId) == 0);
            assertTrue(seeder.store().contains(listingId), "kept in the store until evicted");
            assertEquals(java.util.Set.of(listingId), seeder.seeder().withdrawn());
            assertTrue(events.stream().anyMatch(e -> e instanceof SwarmEvent.Withdrawn w && w.id().equals(listingId)));
            assertTrue(reads().stream().anyMatch(r -> r.removed() == 1 && r.resources() == 1), reads().toString());
            assertTrue(swarm.server().holds(seeder.peerId(), photoId), "what is still listed is still announced");

            // A reconnection announces what the store holds, but not what left the manifest.
            swarm.restartServer();
            Poll.until(Duration.ofSeconds(20), "the seeder back at the server",
                    () -> swarm.server().holds(seeder.peerId(), photoId));
            assertEquals(0, swarm.server().holderCount(listingId));

            swarm.publish("listing.json", listing); // published again: announced again
            Poll.until(Duration.ofSeconds(10), "announced again", () -> swarm.server().holds(seeder.peerId(), listingId));
            assertTrue(seeder.seeder().withdrawn().isEmpty());
        }
    }

    /** A reading acts on what changed: what it listed before and lacks waits for its own back-off, not for every reading. */
    @Test
    void readingAgainDoesNotHammerAnOriginThatFailed() throws Exception {
        ResourceId id = swarm.publish("bad.bin", DemoOrigin.sampleBytes(67, 30_000));
        swarm.origin().lieAbout("bad.bin", DemoOrigin.sampleBytes(68, 30_000));
        String manifest = swarm.origin().manifestUrl().toString();
        try (Seeder seeder = seederOf(manifest).manifestRefresh(Duration.ofMillis(200)).start()) {
            Poll.until(Duration.ofSeconds(5), "five readings again", () -> reads().size() >= 6);
            long tries = events.stream().filter(e -> e instanceof SwarmEvent.HashCheck h && !h.passed() && h.id().equals(id))
                    .count();
            assertEquals(1, tries, "one try at start; the next is the back-off's (2.5 s at the soonest), not each reading's");
            assertEquals(java.util.Set.of(id), seeder.seeder().awaitingRefetch());
        }
    }

    @Test
    void aManifestThatFailsToLoadKeepsTheLastGoodOneAndSaysSo() throws Exception {
        ResourceId kept = swarm.publish("kept.bin", DemoOrigin.sampleBytes(63, 60_000));
        String manifest = swarm.origin().manifestUrl().toString();
        try (Seeder seeder = seederOf(manifest).start()) { // no schedule: read again when asked (as the window will)
            Poll.until(Duration.ofSeconds(5), "announced", () -> swarm.server().holds(seeder.peerId(), kept));
            ResourceId added = swarm.publish("added.bin", DemoOrigin.sampleBytes(64, 60_000));
            swarm.origin().breakManifest("<html>Site under maintenance</html>");
            assertTrue(seeder.refreshManifests().isEmpty(), "no reading succeeded");
            SwarmEvent.ManifestRead failed = reads().get(reads().size() - 1);
            assertEquals(manifest, failed.source());
            assertTrue(failed.failure() != null && !failed.failure().isBlank(), failed.toString());
            assertEquals(1, failed.resources(), "the last good reading's count");
            assertEquals(0, failed.added() + failed.removed());
            assertTrue(swarm.server().holds(seeder.peerId(), kept), "still announced as before");
            assertFalse(seeder.store().contains(added));
            assertTrue(seeder.seeder().withdrawn().isEmpty(), "a failed reading takes nothing down");

            swarm.origin().breakManifest(null); // mended
            SeederNode.SeedReport report = seeder.refreshManifests().get(manifest);
            assertEquals(1, report.stored());
            assertEquals(1, report.added());
            assertNull(reads().get(reads().size() - 1).failure());
            Poll.until(Duration.ofSeconds(5), "the new resource announced", () -> swarm.server().holds(seeder.peerId(), added));
        }
    }

    @Test
    void aManifestChangedWithoutItsSignatureKeepsTheLastGoodOne() throws Exception {
        ResourceId first = swarm.publish("first.bin", DemoOrigin.sampleBytes(65, 40_000));
        ResourceId second = swarm.publish("second.bin", DemoOrigin.sampleBytes(66, 40_000));
        SigningKey site = SigningKey.generate();
        Path dir = Files.createTempDirectory("signed-");
        Path manifest = dir.resolve("manifest.json");
        writeSigned(manifest, site, "{\"resources\":[" + entry("first.bin", first) + "]}");
        try (Seeder seeder = seederOf(manifest.toString()).trustedKeys(List.of(site.publicKey())).start()) {
            Poll.until(Duration.ofSeconds(5), "announced", () -> swarm.server().holds(seeder.peerId(), first));

            // Someone changes the manifest but cannot sign it.
            Files.writeString(manifest, "{\"resources\":[" + entry("second.bin", second) + "]}");
            assertTrue(seeder.refreshManifests().isEmpty());
            SwarmEvent.ManifestRead failed = reads().get(reads().size() - 1);
            assertTrue(failed.failure().contains("does not match its signature"), failed.failure());
            assertTrue(swarm.server().holds(seeder.peerId(), first), "the last good manifest stands");
            assertFalse(seeder.store().contains(second));

            // The site signs its new manifest: taken.
            writeSigned(manifest, site, "{\"resources\":[" + entry("second.bin", second) + "]}");
            SeederNode.SeedReport report = seeder.refreshManifests().get(manifest.toString());
            assertEquals(1, report.added());
            assertEquals(1, report.removed());
            assertTrue(seeder.store().contains(second));
            Poll.until(Duration.ofSeconds(5), "the old one no longer announced", () -> swarm.server().holderCount(first) == 0);
        }
    }

    private String entry(String name, ResourceId id) {
        return "{\"url\":\"" + swarm.origin().url(name) + "\",\"hash\":\"" + id.text() + "\"}";
    }

    private static void writeSigned(Path manifest, SigningKey key, String json) throws Exception {
        Files.writeString(manifest, json);
        Files.writeString(Path.of(manifest + ".sig"), ManifestSignature.sign(Files.readAllBytes(manifest), key).toJson());
    }
}
