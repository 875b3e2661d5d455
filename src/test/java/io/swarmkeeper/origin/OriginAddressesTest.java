package io.swarmkeeper.origin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Origins at loopback, private or link-local addresses are refused unless allowed: judged by the
 * addresses a host resolves to, on every redirect, and connected to exactly as judged. The
 * servers are real HTTP(S) servers, on 127.0.0.1 (the "site") and 127.0.0.2 (an "inner" service
 * a redirect must not reach); nothing is sent anywhere else.
 */
class OriginAddressesTest {
    private static final byte[] BODY = random(100_000);
    private static final ResourceId ID = ResourceId.of(BODY);

    @TempDir
    Path dir;

    @TempDir
    Path tlsDir;

    private HttpServer site;
    private HttpServer inner;
    private ExecutorService threads;
    private final AtomicInteger siteRequests = new AtomicInteger();
    private final AtomicInteger innerRequests = new AtomicInteger();
    private final List<String> hostHeaders = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        threads = Executors.newCachedThreadPool();
        inner = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 8);
        inner.setExecutor(threads);
        inner.createContext("/", ex -> {
            innerRequests.incrementAndGet();
            send(ex, BODY);
        });
        inner.start();
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        site.setExecutor(threads);
        site.createContext("/", ex -> {
            siteRequests.incrementAndGet();
            hostHeaders.add(ex.getRequestHeaders().getFirst("Host"));
            switch (ex.getRequestURI().getPath()) {
                case "/ok.jpg" -> send(ex, BODY);
                case "/to-inner" -> redirect(ex, "http://127.0.0.2:" + inner.getAddress().getPort() + "/secret");
                case "/to-inner-by-name" -> redirect(ex, "http://inner.test:" + inner.getAddress().getPort() + "/secret");
                case "/to-metadata" -> redirect(ex, "http://169.254.169.254/latest/meta-data/");
                case "/to-ipv6-mapped" -> redirect(ex, "http://[::ffff:127.0.0.2]:" + inner.getAddress().getPort() + "/secret");
                default -> {
                    ex.sendResponseHeaders(404, -1);
                    ex.close();
                }
            }
        });
        site.start();
    }

    @AfterEach
    void stop() {
        site.stop(0);
        inner.stop(0);
        threads.shutdownNow();
    }

    private static void send(HttpExchange ex, byte[] body) throws IOException {
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().set("Location", to);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private String site(String path) {
        return "http://127.0.0.1:" + site.getAddress().getPort() + path;
    }

    private void assertNothingStaged() throws IOException {
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing is left in staging");
        }
    }

    /** Pretends that 127.0.0.1, the site, is public; every other address is judged as usual. */
    private static final Function<InetAddress, String> SITE_IS_PUBLIC =
            a -> a.getHostAddress().equals("127.0.0.1") ? null : AddressPolicy.whyNotPublic(a);

    @Test
    void anOriginClientRefusesLoopbackOriginsUnlessTold() throws IOException {
        OriginClient client = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1_000_000);
        int port = site.getAddress().getPort();
        for (String url : List.of(site("/ok.jpg"), "http://localhost:" + port + "/ok.jpg",
                "http://[::ffff:127.0.0.1]:" + port + "/ok.jpg", "http://[::1]:" + port + "/ok.jpg",
                "http://0.0.0.0:" + port + "/ok.jpg", "http://2130706433:" + port + "/ok.jpg")) {
            IOException e = assertThrows(IOException.class, () -> client.fetch(URI.create(url), ID, dir), url);
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("a loopback address")
                    || e.getMessage().contains("a \"this network\" address"), url + ": " + e.getMessage());
        }
        assertEquals(0, siteRequests.get(), "no request reached the site");
        assertNothingStaged();

        OriginClient allowed = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1_000_000, null,
                AddressPolicy.PRIVATE_ALLOWED);
        OriginClient.Fetched fetched = allowed.fetch(URI.create(site("/ok.jpg")), ID, dir);
        fetched.file().close();
        assertEquals(1, siteRequests.get());
    }

    @Test
    void everyRedirectIsJudgedLikeTheFirstUrl() throws IOException {
        AddressPolicy policy = AddressPolicy.PUBLIC_ONLY.judgedBy(SITE_IS_PUBLIC).withResolver(host ->
                host.equals("inner.test") ? new InetAddress[] {InetAddress.getByName("127.0.0.2")} : InetAddress.getAllByName(host));
        OriginClient client = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1_000_000, null, policy);
        client.fetch(URI.create(site("/ok.jpg")), ID, dir).file().close(); // the "public" site itself is fine

        PrivateAddressException toInner = assertThrows(PrivateAddressException.class,
                () -> client.fetch(URI.create(site("/to-inner")), ID, dir));
        assertTrue(toInner.getMessage().contains("127.0.0.2, a loopback address"), toInner.getMessage());
        PrivateAddressException byName = assertThrows(PrivateAddressException.class,
                () -> client.fetch(URI.create(site("/to-inner-by-name")), ID, dir));
        assertTrue(byName.getMessage().contains("inner.test resolves to 127.0.0.2"), byName.getMessage());
        PrivateAddressException mapped = assertThrows(PrivateAddressException.class,
                () -> client.fetch(URI.create(site("/to-ipv6-mapped")), ID, dir));
        assertTrue(mapped.getMessage().contains("127.0.0.2"), mapped.getMessage());
        PrivateAddressException metadata = assertThrows(PrivateAddressException.class,
                () -> client.fetch(URI.create(site("/to-metadata")), ID, dir));
        assertTrue(metadata.getMessage().contains("169.254.169.254, a link-local address"), metadata.getMessage());

        assertEquals(0, innerRequests.get(), "no redirect reached the inner service");
        assertNothingStaged();
    }

    @Test
    void theConnectionGoesToTheAddressThatWasChecked() throws IOException {
        // DNS rebinding: the first answer passes the check, later ones point inside. Each
        // request resolves once and connects to what it checked, so a later answer is a new
        // request's, and is checked in its turn.
        AtomicInteger lookups = new AtomicInteger();
        AddressPolicy policy = AddressPolicy.PUBLIC_ONLY.judgedBy(SITE_IS_PUBLIC).withResolver(host -> {
            if (!host.equals("rebind.test")) {
                return InetAddress.getAllByName(host);
            }
            return new InetAddress[] {InetAddress.getByName(lookups.incrementAndGet() == 1 ? "127.0.0.1" : "127.0.0.2")};
        });
        OriginClient client = new OriginClient(Duration.ofSeconds(2), Duration.ofSeconds(2), 1_000_000, null, policy);
        String url = "http://rebind.test:" + site.getAddress().getPort() + "/ok.jpg";

        OriginClient.Fetched fetched = client.fetch(URI.create(url), ID, dir);
        try (InputStream in = fetched.file().open()) {
            assertArrayEquals(BODY, in.readAllBytes());
        }
        fetched.file().close();
        assertEquals(1, lookups.get(), "one lookup for one request: the checked answer is the one connected to");
        assertEquals(List.of("rebind.test:" + site.getAddress().getPort()), hostHeaders, "the site was asked by name");

        assertThrows(PrivateAddressException.class, () -> client.fetch(URI.create(url), ID, dir));
        assertEquals(2, lookups.get());
        assertEquals(0, innerRequests.get());
        assertNothingStaged();
    }

    @Test
    void httpsChecksTheCertificateAgainstTheNameWhileConnectingToTheCheckedAddress() throws Exception {
        char[] password = "changeit".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(selfSignedKeystore())) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        https.setExecutor(threads);
        https.createContext("/ok.jpg", ex -> send(ex, BODY));
        https.createContext("/to-http", ex -> redirect(ex, site("/ok.jpg")));
        https.start();
        try {
            int port = https.getAddress().getPort();
            AddressPolicy policy = AddressPolicy.PRIVATE_ALLOWED.withResolver(host -> host.equals("elsewhere.test")
                    ? new InetAddress[] {InetAddress.getByName("127.0.0.1")} : InetAddress.getAllByName(host));
            OriginClient client = new OriginClient(new HttpDownload(Duration.ofSeconds(2), Duration.ofSeconds(5), 1_000_000,
                    null, policy, clientTls.getSocketFactory()));

            client.fetch(URI.create("https://localhost:" + port + "/ok.jpg"), ID, dir).file().close();
            IOException wrongName = assertThrows(IOException.class,
                    () -> client.fetch(URI.create("https://elsewhere.test:" + port + "/ok.jpg"), ID, dir));
            assertTrue(wrongName.getMessage().contains("TLS failed"), wrongName.getMessage());
            IOException downgrade = assertThrows(IOException.class,
                    () -> client.fetch(URI.create("https://localhost:" + port + "/to-http"), ID, dir));
            assertTrue(downgrade.getMessage().contains("which is not an accepted place"), downgrade.getMessage());
            assertEquals(0, siteRequests.get(), "https never redirects to http");
            assertNothingStaged();
        } finally {
            https.stop(0);
        }
    }

    @Test
    void aTlsServerThatTricklesItsHandshakeCannotHoldAFetchPastItsDeadline() throws Exception {
        // One byte every 300 ms: each read finishes within the socket timeout, the handshake never does.
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"))) {
            Thread dripper = new Thread(() -> {
                try (java.net.Socket s = listener.accept()) {
                    byte[] record = {0x16, 0x03, 0x03, 0x40, 0x00}; // a handshake record of 16 KiB, to come
                    for (int i = 0; ; i++) {
                        s.getOutputStream().write(i < record.length ? record[i] : 0);
                        s.getOutputStream().flush();
                        Thread.sleep(300);
                    }
                } catch (IOException | InterruptedException e) {
                    // the client went
                }
            }, "dripper");
            dripper.setDaemon(true);
            dripper.start();
            OriginClient client = new OriginClient(new HttpDownload(Duration.ofSeconds(2), Duration.ofSeconds(1), 1_000_000,
                    null, AddressPolicy.PRIVATE_ALLOWED, null));
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> client.fetch(URI.create("https://127.0.0.1:" + listener.getLocalPort() + "/x"), ID, dir));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 3000, "took " + millis + " ms with a 1 s deadline");
            assertTrue(e.getMessage().contains("did not deliver within"), e.getMessage());
            assertNothingStaged();
        }
    }

    private Path selfSignedKeystore() throws Exception {
        Path keystore = tlsDir.resolve("origin.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "origin", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        return keystore;
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }
}
