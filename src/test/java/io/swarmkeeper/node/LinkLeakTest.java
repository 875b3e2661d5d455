package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.Swarm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that links, transfers and unlinks a hundred times ends with the threads and files it
 * started with, and every closed connection's native objects are freed (webrtc-java keeps them
 * otherwise: about 90 KB of native memory per connection).
 */
@Timeout(240)
class LinkLeakTest {
    private static int count(String dir) throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(dir))) {
            return (int) entries.count();
        }
    }

    /** Every thread of this process, Java and native (libwebrtc's included). */
    private static int threads() throws IOException {
        return count("/proc/self/task");
    }

    private static int openFiles() throws IOException {
        return count("/proc/self/fd");
    }

    @Test
    void aHundredLinkTransferCloseCyclesLeaveThreadsAndFilesFlat() throws Exception {
        try (Swarm swarm = Swarm.start()) {
            byte[] body = DemoOrigin.sampleBytes(41, 200_000);
            ResourceId id = swarm.publish("icon.png", body);
            // This leecher offers again for every fetch, far more often than a seeder takes from one peer.
            swarm.seeder("icon.png").node().setLinkLimits(LinkLimits.holder().withOffersPerPeer(1_000));
            LeecherPeer leecher = swarm.leecher();
            // Each fetch makes its own link and closes it when done, rather than keeping it for the next.
            leecher.fetcher().setLinkLimits(LinkLimits.requester().withIdleTimeout(Duration.ZERO));
            for (int i = 0; i < 10; i++) { // warm up: pools, caches and libwebrtc's own threads
                cycle(leecher, id, body);
            }
            settle(leecher);
            int threadsBefore = threads();
            int filesBefore = openFiles();
            PeerLink.NativeConnections nativeBefore = PeerLink.nativeConnections();
            for (int i = 0; i < 100; i++) {
                cycle(leecher, id, body);
            }
            settle(leecher);
            int threadsAfter = threads();
            int filesAfter = openFiles();
            System.err.printf("100 cycles: threads %d -> %d, open files %d -> %d%n", threadsBefore, threadsAfter,
                    filesBefore, filesAfter);
            assertTrue(threadsAfter <= threadsBefore + 4, "threads stay flat: " + threadsBefore + " -> " + threadsAfter);
            assertTrue(filesAfter <= filesBefore + 8, "open files stay flat: " + filesBefore + " -> " + filesAfter);
            // Both ends live in this process: each cycle closes the leecher's link and the seeder's.
            Poll.until(Duration.ofSeconds(10), "both ends of every link freed",
                    () -> PeerLink.nativeConnections().freed() - nativeBefore.freed() >= 200);
            assertEquals(0, PeerLink.nativeConnections().kept() - nativeBefore.kept(),
                    "no closed connection stays in native memory");
        }
    }

    private static void cycle(LeecherPeer leecher, ResourceId id, byte[] body) throws Exception {
        leecher.fetch(id);
        assertArrayEquals(body, leecher.store().readAll(id).orElseThrow());
        leecher.store().remove(id);
    }

    /** Lets closed links finish their teardown (it runs on each link's own thread). */
    private static void settle(LeecherPeer leecher) throws InterruptedException {
        Poll.until(Duration.ofSeconds(10), "links to close", () -> leecher.fetcher().linkCount() == 0);
        Thread.sleep(500);
    }
}
