package io.swarmkeeper.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.SeederPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built bundle (dist/swarmkeeper.js) in headless Chromium, in one swarm with the Java seeder
 * and fetcher: a page gets a photo and an mt256- resource from the seeder, shows the photo only
 * once verified, serves them to a second page (browser to browser) and to a Java leecher; the
 * second page has them in IndexedDB after a reload. assets/client/test/interop/browser-peer.mjs
 * drives the pages.
 */
@Timeout(180)
class BrowserBundleTest extends InSwarm {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void pagesFetchFromTheJavaSeederAndServeEachOtherAndAJavaLeecher() throws Exception {
        byte[] photo = Files.readAllBytes(Path.of("assets", "demo", "listing", "kitchen.jpg"));
        byte[] big = DemoOrigin.sampleBytes(61, 1_500_000);
        ResourceId photoId = swarm.publish("kitchen.jpg", photo);
        ResourceId bigId = swarm.publish("big.bin", big, HashAlgorithm.MERKLE_SHA256);
        SeederPeer seeder = swarm.seeder("kitchen.jpg", "big.bin");
        String server = swarm.serverUri().toString();
        try (NodeProcess pages = NodeProcess.start("test/interop/browser-peer.mjs")) {
            pages.send(Map.of("cmd", "open", "page", "A", "server", server));
            String a = pages.await(WAIT, "page A", l -> "A".equals(l.path("page").asText()) && "opened".equals(l.path("event").asText()))
                    .path("peer").asText();
            assertTrue(a.matches("[a-z2-9]{10}"), "page A was welcomed: " + a + "\n" + pages.stderr());

            // A photo shown through data-swarm-src only once verified, from the seeder.
            pages.send(Map.of("cmd", "scan", "page", "A", "id", photoId.text(), "url", swarm.origin().url("kitchen.jpg").toString()));
            JsonNode scanned = pages.await(WAIT, "the scan", l -> "scanned".equals(l.path("event").asText()));
            assertEquals("peer:" + seeder.id(), scanned.path("source").asText(), scanned + "\n" + pages.stderr());
            assertTrue(scanned.path("src").asText().startsWith("blob:"), scanned.toString());
            assertTrue(scanned.path("width").asInt() > 0, "the browser decoded the verified photo: " + scanned);

            pages.send(Map.of("cmd", "fetch", "page", "A", "id", bigId.text()));
            JsonNode fetched = pages.await(WAIT, "page A's fetch", l -> "A".equals(l.path("page").asText()) && bigId.text().equals(l.path("id").asText()));
            assertEquals("peer:" + seeder.id(), fetched.path("source").asText(), fetched + "\n" + pages.stderr());
            assertEquals(big.length, fetched.path("blobBytes").asInt());

            for (ResourceId id : new ResourceId[] {photoId, bigId}) {
                Poll.until(Duration.ofSeconds(10), "page A announced as holder", () -> swarm.server().holds(a, id));
            }
            seeder.close(); // from now on only page A holds them
            swarm.origin().close();
            Poll.until(Duration.ofSeconds(10), "the seeder gone", () -> !swarm.server().holds(seeder.id(), bigId));

            pages.send(Map.of("cmd", "open", "page", "B", "server", server));
            pages.await(WAIT, "page B", l -> "B".equals(l.path("page").asText()) && "opened".equals(l.path("event").asText()));
            pages.send(Map.of("cmd", "fetch", "page", "B", "id", bigId.text()));
            JsonNode fromA = pages.await(WAIT, "page B's fetch", l -> "B".equals(l.path("page").asText()) && "fetched failed".contains(l.path("event").asText()));
            assertEquals("peer:" + a, fromA.path("source").asText(), fromA + "\n" + pages.stderr());

            LeecherPeer leecher = swarm.leecher();
            FetchResult result = leecher.fetch(photoId);
            assertEquals("peer:" + a, result.source());
            assertArrayEquals(photo, leecher.store().readAll(photoId).orElseThrow());

            pages.send(Map.of("cmd", "stats", "page", "A"));
            JsonNode stats = pages.await(WAIT, "page A's stats", l -> "stats".equals(l.path("event").asText()));
            assertEquals(big.length + photo.length, stats.path("stats").path("uploads").path("bytes").asLong(), stats.toString());

            // After a reload, page B has it in its IndexedDB (PouchDB): no peer, no origin needed.
            pages.send(Map.of("cmd", "reload", "page", "B"));
            pages.await(WAIT, "page B reloaded", l -> "reloaded".equals(l.path("event").asText()));
            pages.send(Map.of("cmd", "fetch", "page", "B", "id", bigId.text()));
            JsonNode cached = pages.await(WAIT, "page B's fetch after the reload", l -> "B".equals(l.path("page").asText())
                    && "cache".equals(l.path("source").asText()) || "failed".equals(l.path("event").asText()));
            assertEquals("cache", cached.path("source").asText(), cached + "\n" + pages.stderr());
            assertEquals(big.length, cached.path("blobBytes").asInt());
            pages.send(Map.of("cmd", "quit"));
            assertEquals(0, pages.waitFor(WAIT), pages.stderr());
        }
    }
}
