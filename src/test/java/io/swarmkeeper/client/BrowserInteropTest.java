package io.swarmkeeper.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.testing.BrowserPages;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.SeederPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real Chromium pages (Debian's) and Java peers in one swarm, inside the test namespace: the demo
 * listing page loads its photos through the browser client, from the Java seeder, from another
 * page, or from its own cache, each verified against its img_hash; lies are caught; a Java peer
 * fetches from a page.
 */
@Timeout(180)
class BrowserInteropTest extends InSwarm {
    private static final List<String> PHOTOS = List.of("listing/living-room.jpg", "listing/kitchen.jpg",
            "listing/bedroom.jpg", "listing/bathroom.jpg", "listing/balcony.jpg", "listing/floor-plan.jpg");

    @BeforeEach
    void website() throws Exception {
        DemoSwarm.addListing(swarm.origin());
        swarm.origin().setSignalingServer(swarm.server().url());
    }

    private String page() {
        return swarm.origin().pageUrl().toString();
    }

    /** Every photo shown, verified, and from where {@code source} says. */
    private static void assertAllShown(JsonNode page, String why) {
        for (JsonNode img : page.get("images")) {
            assertTrue(img.get("shown").asBoolean(), why + ": " + img + "; page: " + page);
            assertTrue(img.get("error").isNull(), why + ": " + img);
        }
        List<JsonNode> results = new ArrayList<>();
        page.get("swarm").get("results").forEach(results::add);
        assertEquals(PHOTOS.size(), results.size(), why + ": " + page.get("swarm"));
        for (JsonNode r : results) {
            assertTrue(r.get("verified").asBoolean(), why + ": " + r);
        }
    }

    private static List<String> sources(JsonNode page) {
        List<String> sources = new ArrayList<>();
        page.get("swarm").get("results").forEach(r -> sources.add(r.get("source").asText()));
        return sources;
    }

    @Test
    void thePagesPhotosComeFromTheJavaSeederVerified() throws Exception {
        SeederPeer seeder = swarm.seeder(PHOTOS.toArray(String[]::new));
        for (String name : PHOTOS) {
            swarm.awaitHolderOf(swarm.origin().resources().get(name));
        }
        Path png = Path.of("target", "screenshots", "demo-page-from-seeder.png");
        Files.createDirectories(png.getParent());
        try (BrowserPages chromium = BrowserPages.run(BrowserPages.plan().openWithScreenshot("visitor", page(), png))) {
            JsonNode page = chromium.next(120);
            assertAllShown(page, "from the Java seeder");
            assertTrue(Files.size(png) > 0, "the page's screenshot: " + png);
            for (String source : sources(page)) {
                assertTrue(source.contains(seeder.id()), "every photo from the seeder: " + sources(page));
            }
            for (String name : PHOTOS) {
                assertFalse(page.get("requests").toString().contains(name), "no photo from the website: " + page.get("requests"));
            }
        }
    }

    @Test
    void aLyingJavaPeerIsCaughtReportedAndThePhotosComeFromTheWebsite() throws Exception {
        SeederPeer liar = swarm.lyingSeeder(PHOTOS.toArray(String[]::new));
        for (String name : PHOTOS) {
            swarm.awaitHolderOf(swarm.origin().resources().get(name));
        }
        Path png = Path.of("target", "screenshots", "demo-page-liar-caught.png");
        Files.createDirectories(png.getParent());
        try (BrowserPages chromium = BrowserPages.run(BrowserPages.plan().openWithScreenshot("visitor", page(), png))) {
            JsonNode page = chromium.next(120);
            assertAllShown(page, "the liar's bytes refused, the website's shown");
            assertTrue(Files.size(png) > 0, "the page's screenshot: " + png);
            assertTrue(sources(page).stream().allMatch(s -> s.equals("origin")), sources(page).toString());
            Poll.until(Duration.ofSeconds(10), "the liar reported", () -> swarm.server().reportersOf(liar.id()) >= 1);
        }
    }

    @Test
    void aPageGetsThePhotosFromAnotherPageAndAJavaPeerFromAPageToo() throws Exception {
        SeederPeer seeder = swarm.seeder(PHOTOS.toArray(String[]::new));
        for (String name : PHOTOS) {
            swarm.awaitHolderOf(swarm.origin().resources().get(name));
        }
        BrowserPages.Plan plan = BrowserPages.plan()
                .openAndKeep("first", page())   // gets them from the seeder, keeps them, serves them
                .awaitTest("the seeder and the website are gone")
                .open("second", page())         // can only get them from the first page
                .awaitTest("a Java peer fetched from the first page");
        try (BrowserPages chromium = BrowserPages.run(plan)) {
            JsonNode first = chromium.next(120);
            assertAllShown(first, "the first page");
            String firstId = first.get("swarm").path("peerId").asText(null);
            seeder.close();
            for (String name : PHOTOS) {
                swarm.origin().withhold(name);
            }
            chromium.resume();
            chromium.next(10); // resumed
            JsonNode second = chromium.next(120);
            assertAllShown(second, "the second page, from the first");
            for (String source : sources(second)) {
                assertTrue(source.startsWith("peer"), "from a peer: " + sources(second));
                if (firstId != null) {
                    assertTrue(source.contains(firstId), sources(second) + " not from " + firstId);
                }
            }
            // A Java peer gets a photo that only the pages hold (no seeder, no website).
            try (LeecherPeer java = swarm.leecher()) {
                ResourceId kitchen = swarm.origin().resources().get("listing/kitchen.jpg");
                FetchResult got = java.fetch(kitchen);
                assertTrue(got.source().startsWith("peer"), got.source());
                assertEquals(40981, got.bytes());
            }
            chromium.resume();
        }
    }

    @Test
    void aReloadShowsThePhotosFromTheCacheWithoutFetchingThem() throws Exception {
        swarm.seeder(PHOTOS.toArray(String[]::new));
        for (String name : PHOTOS) {
            swarm.awaitHolderOf(swarm.origin().resources().get(name));
        }
        try (BrowserPages chromium = BrowserPages.run(BrowserPages.plan()
                .open("visitor", page())
                .open("visitor", page()))) { // the same profile: a reload, its IndexedDB kept
            assertAllShown(chromium.next(120), "first visit");
            JsonNode again = chromium.next(120);
            assertAllShown(again, "the reload");
            assertTrue(sources(again).stream().allMatch(s -> s.equals("cache")), sources(again).toString());
            for (String name : PHOTOS) {
                assertFalse(again.get("requests").toString().contains(name), "fetched over HTTP: " + again.get("requests"));
            }
        }
    }
}
