package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.testing.Poll;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeder filling its store from a manifest's origins (no signaling server, no WebRTC): the
 * origins' addresses and the manifest's sizes are held to. The website is a real HTTP server
 * on loopback.
 */
@Timeout(60)
class SeederOriginTest {
    /** An "endless" body stops here, so that a seeder that does not cut it still finishes. */
    private static final int ENDLESS_STOPS_AT = 64 * 1024 * 1024;
    private static final byte[] PHOTO = DemoOrigin.sampleBytes(31, 200_000);
    private static final byte[] START_OF_ENDLESS = DemoOrigin.sampleBytes(32, 100_000);

    @TempDir
    Path dir;

    private HttpServer http;
    private ExecutorService threads;
    private final AtomicInteger requests = new AtomicInteger();
    /** Bytes the server wrote for each endless answer before the client hung up (or it stopped). */
    private final List<Long> endlessWritten = new CopyOnWriteArrayList<>();
    private ContentStore store;
    private SeederNode seeder;

    @BeforeEach
    void start() throws IOException {
        threads = Executors.newCachedThreadPool();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        http.setExecutor(threads);
        http.createContext("/photo.jpg", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, PHOTO.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(PHOTO);
            }
        });
        http.createContext("/grows.bin", ex -> { // chunked, goes on and on
            requests.incrementAndGet();
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
        http.start();
        store = ContentStore.open(dir.resolve("store"));
        seeder = new SeederNode(new SeederConfig(URI.create("ws://127.0.0.1:1"), dir.resolve("store"), 2), store,
                new SwarmEvents());
    }

    @AfterEach
    void stop() {
        seeder.close();
        store.close();
        http.stop(0);
        threads.shutdownNow();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
    }

    @Test
    void manifestResourcesAtPrivateAddressesAreRefusedUnlessTheOperatorAllowsThem() throws IOException {
        ResourceId id = ResourceId.of(PHOTO);
        Manifest manifest = new Manifest(List.of(new Manifest.Entry(url("/photo.jpg"), id),
                new Manifest.Entry(URI.create("http://localhost:" + http.getAddress().getPort() + "/photo.jpg"), id)));

        SeederNode.SeedReport refused = seeder.seed(manifest);
        assertEquals(0, refused.stored());
        assertEquals(2, refused.failures().size(), refused.failures().toString());
        assertTrue(refused.failures().get(0).contains("refused: 127.0.0.1, a loopback address"), refused.failures().get(0));
        assertTrue(refused.failures().get(1).contains("localhost resolves to"), refused.failures().get(1));
        assertEquals(0, requests.get(), "nothing was asked of the origin");
        assertFalse(store.contains(id));

        seeder.setOriginAddresses(AddressPolicy.PRIVATE_ALLOWED);
        SeederNode.SeedReport allowed = seeder.seed(manifest);
        assertEquals(1, allowed.stored());
        assertEquals(1, allowed.alreadyHeld());
        assertArrayEquals(PHOTO, store.readAll(id).orElseThrow());
    }

    @Test
    void aManifestSizeCutsAnOriginThatSendsMore() throws Exception {
        seeder.setOriginAddresses(AddressPolicy.PRIVATE_ALLOWED);
        ResourceId id = ResourceId.of(START_OF_ENDLESS);
        ResourceId photo = ResourceId.of(PHOTO);
        SeederNode.SeedReport report = seeder.seed(Manifest.parse("""
                {"resources":[{"url":"%s","hash":"%s","size":%d},{"url":"%s","hash":"%s","size":%d}]}"""
                .formatted(url("/grows.bin"), id.text(), START_OF_ENDLESS.length, url("/photo.jpg"), photo.text(), PHOTO.length),
                "test manifest"));

        assertEquals(1, report.stored(), "the resource whose origin keeps to its size is stored");
        assertEquals(1, report.failures().size());
        assertTrue(report.failures().get(0).contains("sent more than its known size of 100000 bytes"), report.failures().get(0));
        assertFalse(store.contains(id));
        Poll.until(Duration.ofSeconds(10), "the origin to notice the client left", () -> endlessWritten.size() == 1);
        assertTrue(endlessWritten.get(0) < ENDLESS_STOPS_AT / 4,
                "cut soon after its size, not read on (the server wrote " + endlessWritten.get(0) + " bytes)");
    }
}
