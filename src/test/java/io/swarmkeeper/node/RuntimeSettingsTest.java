package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.testing.DownloadRate;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the window changes on a running seeder: a site added (fetched, verified, announced, and
 * served to a leecher) or removed (no longer announced, kept until evicted), and the upload cap
 * (the next transfers obey it: the measured rate drops).
 */
@Timeout(180)
class RuntimeSettingsTest extends InSwarm {
    private Seeder emptySeeder() throws IOException {
        return Seeder.builder(swarm.serverUri(), Files.createTempDirectory("runtime-"))
                .originAddresses(AddressPolicy.PRIVATE_ALLOWED) // the swarm's origin is on loopback
                .start();
    }

    @Test
    void aSiteAddedWhileRunningIsFetchedAnnouncedAndServedAndARemovedOneIsWithdrawn() throws Exception {
        byte[] listing = DemoOrigin.sampleBytes(81, 90_000);
        byte[] photo = DemoOrigin.sampleBytes(82, 700_000);
        ResourceId listingId = swarm.publish("listing.json", listing);
        ResourceId photoId = swarm.publish("photo.jpg", photo);
        SigningKey site = SigningKey.generate();
        swarm.origin().signWith(site);
        String manifest = swarm.origin().manifestUrl().toString();
        try (Seeder seeder = emptySeeder()) {
            assertTrue(seeder.siteReports().isEmpty());
            assertEquals(0, swarm.server().holderCount(photoId));

            // A key the site did not sign with: refused, nothing added.
            IOException wrongKey = assertThrows(IOException.class,
                    () -> seeder.addSite(manifest, List.of(SigningKey.generate().publicKey())));
            assertTrue(wrongKey.getMessage().contains("which is not a trusted origin key"), wrongKey.getMessage());
            assertTrue(seeder.siteReports().isEmpty());

            SeederNode.SeedReport report = seeder.addSite(manifest, List.of(site.publicKey()));
            assertEquals(2, report.stored(), report.toString());
            Poll.until(Duration.ofSeconds(10), "both announced", () -> swarm.server().holds(seeder.peerId(), listingId)
                    && swarm.server().holds(seeder.peerId(), photoId));
            Seeder.SiteReport shown = seeder.siteReports().get(0);
            assertEquals(manifest, shown.manifest());
            assertEquals(site.publicKey(), shown.signedBy());
            assertEquals(2, shown.held());
            assertEquals(2, shown.listed());
            assertNull(shown.lastError());
            assertTrue(shown.lastRead() != null && shown.lastRead().equals(shown.lastTried()));
            assertThrows(IllegalArgumentException.class, () -> seeder.addSite(manifest, List.of(site.publicKey())));
            assertEquals(java.util.Map.of(listingId, manifest, photoId, manifest), seeder.siteOfEachResource());

            // A leecher gets it from the seeder: the origin is gone.
            swarm.origin().withhold("photo.jpg");
            LeecherPeer leecher = swarm.leecher();
            FetchResult got = leecher.fetch(photoId);
            assertEquals("peer:" + seeder.peerId(), got.source());
            assertArrayEquals(photo, leecher.store().readAll(photoId).orElseThrow());

            // Refreshed now, with an error: shown on the site, the last good reading kept.
            swarm.origin().breakManifest("<html>maintenance</html>");
            assertTrue(seeder.refreshManifests().isEmpty());
            shown = seeder.siteReports().get(0);
            assertTrue(shown.lastError() != null && shown.lastTried().isAfter(shown.lastRead()), shown.toString());
            assertEquals(2, shown.held());
            swarm.origin().breakManifest(null);

            assertTrue(seeder.removeSite(manifest));
            assertFalse(seeder.removeSite(manifest), "removed once");
            Poll.until(Duration.ofSeconds(10), "no longer announced", () -> swarm.server().holderCount(listingId) == 0
                    && swarm.server().holderCount(photoId) == 0);
            assertTrue(seeder.store().contains(listingId) && seeder.store().contains(photoId), "kept until evicted");
            assertEquals(Set.of(listingId, photoId), seeder.seeder().withdrawn());
            assertTrue(seeder.siteReports().isEmpty());
            assertTrue(seeder.refreshManifests().isEmpty(), "a removed site is not read again");
        }
    }

    /** The window starts its seeder so: one site that is down must not keep the others from being seeded. */
    @Test
    void aSiteThatCannotBeReadAtStartIsKeptAndSeededOnceItCanBe() throws Exception {
        ResourceId id = swarm.publish("page.html", DemoOrigin.sampleBytes(84, 20_000));
        String manifest = swarm.origin().manifestUrl().toString();
        swarm.origin().breakManifest("<html>down for maintenance</html>");
        Seeder.Builder builder = Seeder.builder(swarm.serverUri(), Files.createTempDirectory("runtime-"))
                .originAddresses(AddressPolicy.PRIVATE_ALLOWED).site(manifest, List.of());
        assertThrows(IOException.class, builder::start, "seed's way: a bad manifest fails the start");
        try (Seeder seeder = builder.keepUnreadableSites(true).start()) {
            Seeder.SiteReport down = seeder.siteReports().get(0);
            assertEquals(manifest, down.manifest());
            assertEquals(0, down.listed());
            assertNull(down.lastRead());
            assertTrue(down.lastError().contains("is not JSON"), down.lastError());

            swarm.origin().breakManifest(null);
            assertEquals(1, seeder.refreshManifests().get(manifest).stored());
            Poll.until(Duration.ofSeconds(10), "announced", () -> swarm.server().holds(seeder.peerId(), id));
            Seeder.SiteReport up = seeder.siteReports().get(0);
            assertEquals(1, up.held());
            assertNull(up.lastError());
        }
    }

    @Test
    void aLoweredUploadCapLowersTheMeasuredUploadRate() throws Exception {
        int size = 3 << 20;
        ResourceId id = swarm.publish("big.bin", DemoOrigin.sampleBytes(83, size));
        try (Seeder seeder = emptySeeder()) {
            seeder.addSite(swarm.origin().manifestUrl().toString(), List.of());
            swarm.origin().withhold("big.bin"); // from the seeder only

            double free = measuredRate(swarm.leecher(), id);
            long cap = 512 * 1024;
            seeder.setUploadRate(cap);
            assertEquals(cap, seeder.uploadRate());
            double capped = measuredRate(swarm.leecher(), id);

            // Generous margins: the cap's burst lets a quarter megabyte go at once.
            assertTrue(capped <= cap * 1.5, "capped at " + cap + " B/s, measured " + (long) capped);
            assertTrue(free >= capped * 3, "without a cap " + (long) free + " B/s, capped " + (long) capped + " B/s");

            seeder.setUploadSlots(1);
            assertEquals(1, seeder.uploadSlots());
            assertThrows(IllegalArgumentException.class, () -> seeder.setUploadSlots(33));
        }
    }

    /** Bytes per second a new leecher received {@code id} at (from this seeder alone). */
    private static double measuredRate(LeecherPeer leecher, ResourceId id) throws IOException {
        leecher.fetch(id);
        assertEquals(3 << 20, DownloadRate.bytes(leecher.events(), id), "every byte came in ranges that finished");
        return DownloadRate.of(leecher.events(), id);
    }
}
