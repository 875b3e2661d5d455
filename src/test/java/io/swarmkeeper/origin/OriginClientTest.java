package io.swarmkeeper.origin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The origin client against a misbehaving HTTP server on loopback. */
class OriginClientTest {
    private static final byte[] BODY = random(300_000);
    private static final ResourceId ID = ResourceId.of(BODY);

    @TempDir
    Path staging;

    private HttpServer http;
    private ExecutorService threads;
    private final CountDownLatch release = new CountDownLatch(1);
    /** The servers here are on loopback: the client under test is told that private origins are allowed. */
    private OriginClient client = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1_000_000, null,
            AddressPolicy.PRIVATE_ALLOWED);

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        threads = Executors.newCachedThreadPool();
        http.setExecutor(threads);
        serve("/ok.jpg", ex -> send(ex, 200, "image/jpeg", BODY));
        serve("/lie.jpg", ex -> {
            byte[] lie = BODY.clone();
            lie[1234] ^= 1;
            send(ex, 200, "image/jpeg", lie);
        });
        serve("/missing", ex -> send(ex, 404, "text/plain", "gone".getBytes()));
        serve("/declared-huge", ex -> {
            ex.sendResponseHeaders(200, 5_000_000_000L);
            ex.getResponseBody().write(BODY, 0, 1000);
            ex.close();
        });
        serve("/endless", ex -> { // chunked, never ends
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                while (true) {
                    out.write(BODY, 0, 64 * 1024);
                }
            } catch (IOException e) {
                // the client hung up, as it should
            }
        });
        serve("/stall", ex -> { // headers, a little body, then nothing
            ex.sendResponseHeaders(200, BODY.length);
            ex.getResponseBody().write(BODY, 0, 1000);
            ex.getResponseBody().flush();
            await();
            ex.close();
        });
        serve("/silent", ex -> { // never even answers
            await();
            ex.close();
        });
        serve("/chunked.jpg", ex -> { // no Content-Length: the body comes in chunks
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int at = 0; at < BODY.length; at += 10_000) {
                    out.write(BODY, at, Math.min(10_000, BODY.length - at));
                    out.flush();
                }
            }
        });
        serve("/hop1", ex -> redirect(ex, "/hop2"));
        serve("/hop2", ex -> redirect(ex, "/ok.jpg"));
        serve("/loop", ex -> redirect(ex, "/loop"));
        http.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        http.stop(0);
        threads.shutdownNow();
    }

    private void serve(String path, HttpHandler handler) {
        http.createContext(path, handler);
    }

    private void await() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().set("Location", to);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
    }

    private void assertNothingStaged() throws IOException {
        try (var files = Files.list(staging)) {
            assertEquals(0, files.count(), "nothing is left in staging");
        }
    }

    @Test
    void fetchesVerifiesAndKeepsTheMediaType() throws IOException {
        OriginClient.Fetched fetched = client.fetch(url("/ok.jpg"), ID, staging);
        try (InputStream in = fetched.file().open()) {
            assertArrayEquals(BODY, in.readAllBytes());
        }
        assertEquals("image/jpeg", fetched.mediaType());
        fetched.file().close();
        assertNothingStaged();
    }

    @Test
    void verifiesSriIdsToo() throws IOException {
        ResourceId sri = ResourceId.of(HashAlgorithm.SHA512, BODY);
        OriginClient.Fetched fetched = client.fetch(url("/ok.jpg"), sri, staging);
        assertTrue(fetched.file().isVerified());
        fetched.file().close();
    }

    @Test
    void wrongBytesNameBothHashesAndLeaveNothing() throws IOException {
        HashMismatchException e = assertThrows(HashMismatchException.class, () -> client.fetch(url("/lie.jpg"), ID, staging));
        assertTrue(e.getMessage().contains(ID.text()), e.getMessage());
        byte[] lie = BODY.clone();
        lie[1234] ^= 1;
        assertEquals(ResourceId.of(lie).text(), e.actual());
        assertNothingStaged();
    }

    @Test
    void followsRedirectsWithinLimits() throws IOException {
        client.fetch(url("/hop1"), ID, staging).file().close();
        IOException loop = assertThrows(IOException.class, () -> client.fetch(url("/loop"), ID, staging));
        assertTrue(loop.getMessage().contains("more than 5 redirects"), loop.getMessage());
        assertNothingStaged();
    }

    @Test
    void aRestrictedClientFollowsRedirectsOnlyWhereItMay() throws IOException {
        OriginClient anywhere = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1_000_000, uri -> true,
                AddressPolicy.PRIVATE_ALLOWED);
        anywhere.fetch(url("/hop1"), ID, staging).file().close();
        OriginClient onlyHops = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1_000_000,
                uri -> uri.getPath().startsWith("/hop"), AddressPolicy.PRIVATE_ALLOWED);
        IOException outside = assertThrows(IOException.class, () -> onlyHops.fetch(url("/hop1"), ID, staging));
        assertTrue(outside.getMessage().contains("redirects to " + url("/ok.jpg") + ", which is not an accepted place"),
                outside.getMessage());
        IOException loop = assertThrows(IOException.class, () -> anywhere.fetch(url("/loop"), ID, staging));
        assertTrue(loop.getMessage().contains("more than 5 redirects"), loop.getMessage());
        assertNothingStaged();
    }

    @Test
    void refusesErrorsAndOversizedAnswers() throws IOException {
        assertMessage("/missing", "origin answered HTTP 404 for " + url("/missing"));
        assertMessage("/declared-huge", "is 5000000000 bytes, over the limit of 1000000");
        assertMessage("/endless", "exceeds the limit of 1000000 bytes");
        assertNothingStaged();
    }

    @Test
    void aKnownSizeIsHeldToAndAnEndlessBodyIsCutAtIt() throws IOException {
        client.fetch(url("/ok.jpg"), ID, BODY.length, staging).file().close();
        client.fetch(url("/chunked.jpg"), ID, BODY.length, staging).file().close();

        // The client's limit is 2 GiB; a known size of 100,000 bytes cuts the endless body there.
        java.util.concurrent.atomic.AtomicLong sunk = new java.util.concurrent.atomic.AtomicLong();
        HttpDownload download = new HttpDownload(Duration.ofSeconds(2), Duration.ofSeconds(2), 1L << 31, null,
                AddressPolicy.PRIVATE_ALLOWED);
        IOException endless = assertThrows(IOException.class,
                () -> download.get(url("/endless"), (b, off, len) -> sunk.addAndGet(len), "origin", 100_000));
        assertTrue(endless.getMessage().contains("sent more than its known size of 100000 bytes"), endless.getMessage());
        assertTrue(sunk.get() <= 100_000, "no byte past the known size was written: " + sunk.get());

        OriginClient large = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1L << 31, null,
                AddressPolicy.PRIVATE_ALLOWED);
        IOException viaClient = assertThrows(IOException.class, () -> large.fetch(url("/endless"), ID, 100_000, staging));
        assertTrue(viaClient.getMessage().contains("sent more than its known size of 100000 bytes"), viaClient.getMessage());

        IOException declared = assertThrows(IOException.class, () -> client.fetch(url("/ok.jpg"), ID, BODY.length - 1, staging));
        assertTrue(declared.getMessage().contains("is 300000 bytes (Content-Length), but its known size is 299999 bytes"),
                declared.getMessage());
        IOException shorter = assertThrows(IOException.class, () -> client.fetch(url("/chunked.jpg"), ID, BODY.length + 5, staging));
        assertTrue(shorter.getMessage().contains("ended after 300000 bytes; its known size is 300005 bytes"), shorter.getMessage());
        IOException longer = assertThrows(IOException.class, () -> client.fetch(url("/chunked.jpg"), ID, BODY.length - 5, staging));
        assertTrue(longer.getMessage().contains("sent more than its known size of 299995 bytes"), longer.getMessage());
        assertNothingStaged();
    }

    @Test
    void givesUpOnAStalledOrSilentOriginAtTheDeadline() throws IOException {
        long t = System.nanoTime();
        assertMessage("/stall", "did not deliver within 2 s (1000 bytes received)");
        assertMessage("/silent", "did not deliver within 2 s (0 bytes received)");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t);
        assertTrue(seconds < 10, "deadlines hold: " + seconds + " s");
        assertNothingStaged();
    }

    @Test
    void refusesWhatIsNotHttp() {
        IOException e = assertThrows(IOException.class, () -> client.fetch(URI.create("file:///etc/passwd"), ID, staging));
        assertTrue(e.getMessage().contains("must be http or https"), e.getMessage());
    }

    private void assertMessage(String path, String expected) {
        IOException e = assertThrows(IOException.class, () -> client.fetch(url(path), ID, staging));
        assertTrue(e.getMessage().contains(expected), path + ": " + e.getMessage());
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }
}
