package io.swarmkeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.client.NodeProcess;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.testing.BrowserPages;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.Swarm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The browser client's throughput beside the Java peer's, in one run on this machine: a 64 MiB
 * resource Java seeder → Java fetcher, Java seeder → Chromium page, Chromium page → Chromium page
 * (the seeder gone); and the demo page's time to its first verified photo, from the Java seeder
 * against from the website. Debian's Chromium through playwright-core, inside the test namespace.
 *
 *   .ci/bench BrowserThroughput [MiB, default 64] [rounds, default 3]
 */
public final class BrowserThroughput {
    private static final Duration WAIT = Duration.ofMinutes(5);

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        NodeProcess.requireInstalled();
        byte[] body = DemoOrigin.sampleBytes(64, mib << 20);
        List<Double> javaToJava = new ArrayList<>();
        List<Double> javaToChromium = new ArrayList<>();
        List<Double> chromiumToChromium = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            try (Swarm swarm = Swarm.start()) {
                ResourceId id = swarm.publish("big.bin", body);
                SeederPeer seeder = swarm.seeder("big.bin");
                swarm.awaitHolderOf(id);
                swarm.origin().withhold("big.bin"); // peers only
                try (LeecherPeer java = swarm.leecher()) {
                    long t0 = System.nanoTime();
                    FetchResult got = java.fetch(id);
                    javaToJava.add(rate(body.length, (System.nanoTime() - t0) / 1e6));
                    check(got.source().startsWith("peer"), got.source());
                }
                try (NodeProcess pages = NodeProcess.start("test/interop/browser-peer.mjs")) {
                    String server = swarm.serverUri().toString();
                    pages.send(Map.of("cmd", "open", "page", "A", "server", server));
                    pages.await(WAIT, "page A", l -> "A".equals(l.path("page").asText()) && "opened".equals(l.path("event").asText()));
                    pages.send(Map.of("cmd", "fetch", "page", "A", "id", id.text(), "tag", "a"));
                    JsonNode a = pages.await(WAIT, "page A's fetch", l -> "a".equals(l.path("tag").asText()));
                    check("fetched".equals(a.path("event").asText()), a + "\n" + pages.stderr());
                    javaToChromium.add(rate(body.length, a.path("millis").asDouble()));
                    seeder.close(); // from now on only page A holds it
                    pages.send(Map.of("cmd", "open", "page", "B", "server", server));
                    pages.await(WAIT, "page B", l -> "B".equals(l.path("page").asText()) && "opened".equals(l.path("event").asText()));
                    pages.send(Map.of("cmd", "fetch", "page", "B", "id", id.text(), "tag", "b"));
                    JsonNode b = pages.await(WAIT, "page B's fetch", l -> "b".equals(l.path("tag").asText()));
                    check("fetched".equals(b.path("event").asText()) && b.path("source").asText().startsWith("peer"), b + "\n" + pages.stderr());
                    chromiumToChromium.add(rate(body.length, b.path("millis").asDouble()));
                    pages.send(Map.of("cmd", "quit"));
                }
            }
            System.out.printf(Locale.ROOT, "round %d: Java→Java %.1f, Java→Chromium %.1f, Chromium→Chromium %.1f MB/s%n", round + 1,
                    javaToJava.get(round), javaToChromium.get(round), chromiumToChromium.get(round));
        }
        System.out.printf(Locale.ROOT, "%d MiB, median of %d: Java→Java %.1f MB/s, Java→Chromium %.1f MB/s, Chromium→Chromium %.1f MB/s%n",
                mib, rounds, median(javaToJava), median(javaToChromium), median(chromiumToChromium));

        // The demo page: time from navigation to its first verified photo.
        List<Double> fromPeers = new ArrayList<>();
        List<Double> fromWebsite = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (boolean peers : new boolean[] {true, false}) {
                try (Swarm swarm = Swarm.start()) {
                    DemoSwarm.addListing(swarm.origin());
                    swarm.origin().setSignalingServer(swarm.server().url());
                    if (peers) {
                        String[] photos = {"listing/living-room.jpg", "listing/kitchen.jpg", "listing/bedroom.jpg",
                                "listing/bathroom.jpg", "listing/balcony.jpg", "listing/floor-plan.jpg"};
                        swarm.seeder(photos);
                        for (String photo : photos) {
                            swarm.awaitHolderOf(swarm.origin().resources().get(photo));
                        }
                    }
                    try (BrowserPages chromium = BrowserPages.run(BrowserPages.plan().open("visitor", swarm.origin().pageUrl().toString()))) {
                        JsonNode page = chromium.next(120);
                        double first = page.path("swarm").path("firstMillis").asDouble(-1);
                        String source = page.path("swarm").path("results").path(0).path("source").asText();
                        check(first > 0 && (peers ? source.startsWith("peer") : source.equals("origin")), page.toString());
                        (peers ? fromPeers : fromWebsite).add(first);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "demo page, first verified photo after (median of %d): %.0f ms from the Java seeder, %.0f ms from the website%n",
                rounds, median(fromPeers), median(fromWebsite));
        System.exit(0);
    }

    private static double rate(long bytes, double millis) {
        return bytes / 1e6 / (millis / 1000);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
