package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.OfferFlood;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.InSwarm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeder flooded with offers through the real signaling server, by several ids at 10 offers a
 * second each, keeps its links, links being set up and threads within bounds, refuses the excess
 * at once with a reason, keeps its signaling under the server's rate, and still serves an honest
 * fetcher during the flood and right after it.
 */
@Timeout(120)
class OfferFloodTest extends InSwarm {
    private static final int FLOODING_IDS = 16;
    private static final int OFFERS_PER_SECOND = 10;


    /** The seeder's link threads (one per link, named after the remote peer; the leechers' are named after the seeder). */
    private static int linkThreadsOf(SeederPeer seeder) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(n -> n.startsWith("link-") && !n.equals("link-" + seeder.id()))
                .count();
    }

    /** Every thread of this process, Java and native (libwebrtc's included). */
    private static int threads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return (int) tasks.count();
        }
    }

    @Test
    void anHonestFetcherIsServedWhileSeveralIdsFloodTheSeederWithOffers() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(21, 1_000_000);
        ResourceId id = swarm.publish("flooded.jpg", body);
        SeederPeer seeder = swarm.seeder("flooded.jpg");
        // Fewer places than flooding ids, so that the bounds are what keeps the counts down.
        LinkLimits limits = LinkLimits.holder().withLinks(12, 4);
        seeder.node().setLinkLimits(limits);
        swarm.origin().close(); // only the seeder has it

        // Warm up (libwebrtc's threads, pools), then take the baseline.
        LeecherPeer warm = swarm.leecher();
        assertEquals("peer:" + seeder.id(), warm.fetch(id).source());
        warm.close();
        Poll.until(Duration.ofSeconds(10), "the warm-up link to close", () -> seeder.node().linkCount() == 0);
        OfferFlood flood = OfferFlood.prepare(swarm.server().url(), id, seeder.id(), FLOODING_IDS);
        int threadsBefore = threads(); // the flooders' own socket threads included

        AtomicInteger mostLinks = new AtomicInteger();
        AtomicInteger mostPending = new AtomicInteger();
        AtomicInteger mostThreads = new AtomicInteger();
        AtomicInteger mostLinkThreads = new AtomicInteger();
        AtomicInteger mostWaiting = new AtomicInteger();
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        watch.scheduleAtFixedRate(() -> {
            SeederNode.LinkStats s = seeder.node().linkStats();
            mostLinks.accumulateAndGet(s.links(), Math::max);
            mostPending.accumulateAndGet(s.pending(), Math::max);
            mostWaiting.accumulateAndGet(seeder.node().signalingQueue().waiting(), Math::max);
            mostLinkThreads.accumulateAndGet(linkThreadsOf(seeder), Math::max);
            try {
                mostThreads.accumulateAndGet(threads(), Math::max);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);

        LeecherPeer honest;
        LeecherPeer after;
        try (flood) {
            flood.start(OFFERS_PER_SECOND);
            Thread.sleep(2_000); // the flood is on

            honest = swarm.leecher();
            FetchResult during = honest.fetch(id);
            assertEquals("peer:" + seeder.id(), during.source(), "served by the seeder during the flood");
            assertArrayEquals(body, honest.store().readAll(id).orElseThrow());

            Thread.sleep(1_000);
            flood.stop();

            // Right after the flood: no backlog of answers to offers long gone holds this one back.
            after = swarm.leecher();
            assertEquals("peer:" + seeder.id(), after.fetch(id).source(), "served by the seeder right after the flood");

            long offers = flood.offersSent();
            SeederNode.LinkStats stats = seeder.node().linkStats();
            System.err.printf("flood: %d offers from %d ids; seeder refused %d (told %d), answered %d;"
                            + " most links %d, pending %d, link threads %d, queued frames %d, threads %d -> %d%n",
                    offers, FLOODING_IDS, stats.offersRefused(), stats.refusalsSent(),
                    flood.heardFromHolder("answer").size(), mostLinks.get(), mostPending.get(), mostLinkThreads.get(),
                    mostWaiting.get(), threadsBefore, mostThreads.get());

            assertTrue(offers >= FLOODING_IDS * OFFERS_PER_SECOND * 2, "the flood ran: " + offers + " offers");
            assertTrue(mostLinks.get() <= limits.maxLinks(), "links within the cap: " + mostLinks.get());
            assertTrue(mostPending.get() <= limits.maxPending(), "links being set up within the cap: " + mostPending.get());
            // Each link has a thread, which ends shortly after the link closes.
            assertTrue(mostLinkThreads.get() <= limits.maxLinks() + 4, "the seeder's link threads bounded: " + mostLinkThreads.get());
            // The whole process: those, and the two honest leechers' own (signaling, timers, their links).
            assertTrue(mostThreads.get() <= threadsBefore + limits.maxLinks() + 4 + 2 * 12,
                    "threads bounded: " + threadsBefore + " -> " + mostThreads.get());
            // Most offers were refused before any native work, and the flooders heard why.
            assertTrue(stats.offersRefused() >= offers * 8 / 10, stats.offersRefused() + " of " + offers + " refused");
            assertTrue(flood.heardFromHolder("answer").size() <= offers / 10,
                    "few offers answered: " + flood.heardFromHolder("answer").size());
            assertFalse(flood.heardFromHolder("refused").isEmpty(), "refusals reached the flooders");
            for (JsonNode refusal : flood.heardFromHolder("refused")) {
                assertTrue(Set.of("busy", "too-many-offers").contains(refusal.path("reason").asText()), refusal.toString());
            }
            // The seeder stayed under the server's rate limit (so did the flooders: 10 a second is allowed).
            assertEquals(0L, swarm.server().errorCounts().getOrDefault("rate-limited", 0L), "nobody was rate-limited");
            assertTrue(seeder.events().stream().noneMatch(e -> e instanceof SwarmEvent.SignalingRetry),
                    "the seeder kept its signaling connection");
            assertTrue(mostWaiting.get() <= SignalingClient.MAX_CONDITIONAL_WAITING + 10,
                    "the seeder's outgoing signaling stayed bounded: " + mostWaiting.get());
        } finally {
            watch.shutdownNow();
        }
        // After the flood (its ids gone) and the honest peers, nothing stays: links, their threads, queued signals.
        honest.close();
        after.close();
        Poll.until(Duration.ofSeconds(25), "the seeder's links to be gone", () -> seeder.node().linkCount() == 0);
        Poll.until(Duration.ofSeconds(5), "the seeder's link threads to end", () -> linkThreadsOf(seeder) == 0);
        Poll.until(Duration.ofSeconds(5), "the seeder's queue to drain", () -> seeder.node().signalingQueue().waiting() == 0);
        Poll.until(Duration.ofSeconds(5), "threads back down from " + threadsBefore, () -> {
            try {
                return threads() <= threadsBefore + 4;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }
}
