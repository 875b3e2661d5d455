package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.Swarm;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a {@code demand} can make a seeder do. Anyone may connect as a seeder and any asker may
 * name an origin in its {@code want}, so a demand is a stranger's suggestion: a seeder fetches
 * only under the prefixes its operator gave, only from addresses its operator allows, and no
 * more than the manifest's size when the manifest knows the resource. The askers and the
 * stranger here are bare WebSocket clients; the seeder, the signaling server and the website
 * are real.
 */
@Timeout(120)
class DemandTrustTest {
    private static final int ENDLESS_STOPS_AT = 64 * 1024 * 1024;
    private static final byte[] HOT = DemoOrigin.sampleBytes(41, 150_000);
    private static final byte[] WARM = DemoOrigin.sampleBytes(42, 120_000);
    private static final byte[] START_OF_ENDLESS = DemoOrigin.sampleBytes(43, 100_000);

    private Swarm swarm;
    private HttpServer site;
    private ExecutorService threads;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<Long> endlessWritten = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        swarm = Swarm.start(); // its server asks seeders after one want
        threads = Executors.newCachedThreadPool();
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        site.setExecutor(threads);
        for (Map.Entry<String, byte[]> r : Map.of("/hot.jpg", HOT, "/warm.jpg", WARM).entrySet()) {
            site.createContext(r.getKey(), ex -> {
                requests.computeIfAbsent(r.getKey(), k -> new AtomicInteger()).incrementAndGet();
                ex.sendResponseHeaders(200, r.getValue().length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.getValue());
                }
            });
        }
        site.createContext("/grows.bin", ex -> {
            requests.computeIfAbsent("/grows.bin", k -> new AtomicInteger()).incrementAndGet();
            long written = 0;
            try (ex) {
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                out.write(START_OF_ENDLESS);
                written += START_OF_ENDLESS.length;
                byte[] more = new byte[64 * 1024];
                while (written < ENDLESS_STOPS_AT) {
                    out.write(more);
                    written += more.length;
                }
                out.close();
            } catch (IOException e) {
                // the client hung up
            } finally {
                endlessWritten.add(written);
            }
        });
        site.start();
    }

    @AfterEach
    void stop() throws Exception {
        swarm.close();
        site.stop(0);
        threads.shutdownNow();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + site.getAddress().getPort() + path;
    }

    private int requestsFor(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    /** A bare client wants {@code id}, naming {@code origin}: the server then asks seeders for it. */
    private void want(RawSignalingClient asker, ResourceId id, String origin) throws InterruptedException {
        asker.send("{\"type\":\"want\",\"hash\":\"" + id.text() + "\",\"origin\":\"" + origin + "\"}");
        asker.next("match");
    }

    /** Gives the seeder time to act on a demand that it got: it must not have fetched anything. */
    private void assertStaysUnfetched(String path, SeederPeer seeder, ResourceId id) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < until) {
            assertEquals(0, requestsFor(path), "the origin was asked for " + path);
            Thread.sleep(50);
        }
        assertFalse(seeder.store().contains(id));
    }

    @Test
    void aSeederWithoutDemandOriginsFetchesNothingAStrangerAsksFor() throws Exception {
        ResourceId id = ResourceId.of(HOT);
        SeederPeer seeder = swarm.seeder(); // no demand origins: the default
        try (RawSignalingClient stranger = RawSignalingClient.welcomed(swarm.server().url(), "seeder");
             RawSignalingClient asker = RawSignalingClient.welcomed(swarm.server().url(), "peer")) {
            want(asker, id, url("/hot.jpg"));
            // Anyone who says it is a seeder is told what is wanted and where the asker said it is.
            JsonNode demand = stranger.next("demand");
            assertEquals(id.text(), demand.get("hash").asText());
            assertEquals(url("/hot.jpg"), demand.get("origin").asText());
            assertStaysUnfetched("/hot.jpg", seeder, id);
        }
    }

    @Test
    void aDemandedOriginAtAPrivateAddressIsFetchedOnlyWhenTheOperatorAllowsIt() throws Exception {
        ResourceId hot = ResourceId.of(HOT);
        ResourceId warm = ResourceId.of(WARM);
        SeederPeer seeder = swarm.seeder();
        seeder.node().acceptDemandFrom(List.of(url("/")));
        seeder.node().setOriginAddresses(AddressPolicy.PUBLIC_ONLY); // as `seed` runs without --allow-private-origins
        try (RawSignalingClient stranger = RawSignalingClient.welcomed(swarm.server().url(), "seeder");
             RawSignalingClient asker = RawSignalingClient.welcomed(swarm.server().url(), "peer")) {
            want(asker, hot, url("/hot.jpg"));
            stranger.next("demand"); // the seeder was asked too
            assertStaysUnfetched("/hot.jpg", seeder, hot);

            // The same seeder, allowed by its operator, takes the next demand from that origin.
            seeder.node().setOriginAddresses(AddressPolicy.PRIVATE_ALLOWED);
            want(asker, warm, url("/warm.jpg"));
            Poll.until(Duration.ofSeconds(15), "the seeder to pick up warm.jpg", () -> swarm.server().holds(seeder.id(), warm));
            assertEquals(1, requestsFor("/warm.jpg"));
            assertArrayEquals(WARM, seeder.store().readAll(warm).orElseThrow());
        }
    }

    @Test
    void aDemandForAResourceOfTheManifestIsHeldToTheManifestSize() throws Exception {
        ResourceId id = ResourceId.of(START_OF_ENDLESS);
        SeederPeer seeder = swarm.seeder();
        seeder.node().acceptDemandFrom(List.of(url("/")));
        SeederNode.SeedReport report = seeder.node().seed(Manifest.parse("{\"resources\":[{\"url\":\"" + url("/grows.bin")
                + "\",\"hash\":\"" + id.text() + "\",\"size\":" + START_OF_ENDLESS.length + "}]}", "test manifest"));
        assertEquals(1, report.failures().size());
        assertTrue(report.failures().get(0).contains("sent more than its known size of 100000 bytes"), report.failures().get(0));

        try (RawSignalingClient asker = RawSignalingClient.welcomed(swarm.server().url(), "peer")) {
            want(asker, id, url("/grows.bin"));
            Poll.until(Duration.ofSeconds(20), "the demanded download to end", () -> endlessWritten.size() == 2);
        }
        assertEquals(2, requestsFor("/grows.bin"), "the manifest's attempt and the demand's");
        for (long written : endlessWritten) {
            assertTrue(written < ENDLESS_STOPS_AT / 4, "cut soon after the manifest's size (the server wrote " + written
                    + " bytes), not at the demand cap of " + SeederNode.DEMAND_MAX_BYTES);
        }
        assertFalse(seeder.store().contains(id));
    }
}
