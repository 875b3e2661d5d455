package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.testing.RawSignalingClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Floods, crowds from one address, foreign origins and TLS: each refused or served as documented. */
@Timeout(60)
class SignalingLimitsTest extends RunningServer {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";

    @TempDir
    Path dir;

    @Test
    void floodsAreThrottledThenCutOffWithoutHarmingOthers() throws Exception {
        start(ServerConfig.builder().messagesPerSecond(5).messageBurst(10));
        try (RawSignalingClient flood = RawSignalingClient.welcomed(server.url(), "peer");
             RawSignalingClient calm = RawSignalingClient.welcomed(server.url(), "peer")) {
            for (int i = 0; i < 15; i++) {
                flood.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            }
            JsonNode limited = flood.next("error");
            assertEquals("rate-limited", limited.get("code").asText());
            for (int i = 0; i < 30 && !flood.closedByServer(); i++) {
                flood.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            }
            assertEquals(CloseFrame.POLICY_VALIDATION, flood.awaitCloseCode());
            calm.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
            assertEquals("match", calm.next().get("type").asText());
            assertTrue(server.errorCounts().get("rate-limited") >= 1);
        }
    }

    @Test
    void oneAddressMayHoldOnlySoManyConnections() throws Exception {
        start(ServerConfig.builder().maxConnectionsPerAddress(2));
        try (RawSignalingClient one = RawSignalingClient.connect(server.url(), Map.of(), "127.0.0.1", null);
             RawSignalingClient two = RawSignalingClient.connect(server.url(), Map.of(), "127.0.0.1", null);
             RawSignalingClient three = RawSignalingClient.connect(server.url(), Map.of(), "127.0.0.1", null);
             RawSignalingClient elsewhere = RawSignalingClient.connect(server.url(), Map.of(), "127.0.0.2", null)) {
            // Sockets are counted as they are accepted and checked once upgraded, on each one's
            // event loop: the third is over the limit, and so is any whose check ran after it came.
            List<RawSignalingClient> welcomed = new ArrayList<>();
            int refused = 0;
            for (RawSignalingClient client : List.of(one, two, three)) {
                JsonNode first = client.nextOrNull(300); // a refusal comes unasked
                if (first == null && client.isOpen()) {
                    client.send("{\"type\":\"hello\",\"version\":1}");
                    first = client.next();
                }
                assertTrue(first != null, "neither welcomed nor refused");
                if ("welcome".equals(first.get("type").asText())) {
                    welcomed.add(client);
                } else {
                    assertEquals("too-many-connections", first.get("code").asText(), first.toString());
                    assertEquals(CloseFrame.POLICY_VALIDATION, client.awaitCloseCode());
                    refused++;
                }
            }
            assertTrue(refused >= 1 && welcomed.size() <= 2, "three from one address, two allowed: " + refused + " refused");
            elsewhere.send("{\"type\":\"hello\",\"version\":1}");
            assertEquals("welcome", elsewhere.next().get("type").asText());
            for (RawSignalingClient client : welcomed) {
                client.closeBlocking();
            }
            // The slot frees once a connection from that address closes.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                try (RawSignalingClient again = RawSignalingClient.connect(server.url(), Map.of(), "127.0.0.1", null)) {
                    again.send("{\"type\":\"hello\",\"version\":1}");
                    if ("welcome".equals(again.next().get("type").asText())) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the freed slot was never usable");
        }
    }

    @Test
    void aBurstOfNewConnectionsIsQueuedWithSpreadRetryHints() throws Exception {
        start(ServerConfig.builder().maxHandshakesPerSecond(2));
        try (RawSignalingClient first = RawSignalingClient.connect(server.url());
             RawSignalingClient second = RawSignalingClient.connect(server.url());
             RawSignalingClient third = RawSignalingClient.connect(server.url());
             RawSignalingClient fourth = RawSignalingClient.connect(server.url())) {
            // Which two of the four take the bucket's two tokens is up to the server's event loops
            // (each connection is admitted on its own loop once upgraded): two are welcomed, two refused.
            List<JsonNode> welcomes = new ArrayList<>();
            List<JsonNode> refusals = new ArrayList<>();
            List<RawSignalingClient> refused = new ArrayList<>();
            for (RawSignalingClient client : List.of(first, second, third, fourth)) {
                JsonNode early = client.nextOrNull(300); // a refusal comes unasked
                if (early == null && client.isOpen()) {
                    client.send("{\"type\":\"hello\",\"version\":1}");
                    early = client.next();
                }
                assertTrue(early != null, "neither welcomed nor refused");
                if ("welcome".equals(early.get("type").asText())) {
                    welcomes.add(early);
                } else {
                    assertEquals("error", early.get("type").asText(), early.toString());
                    refusals.add(early);
                    refused.add(client);
                }
            }
            assertEquals(2, welcomes.size(), "two tokens, two welcomes: " + refusals);
            assertEquals(2, refusals.size());
            JsonNode a = refusals.get(0);
            JsonNode b = refusals.get(1);
            assertEquals("overloaded", a.get("code").asText());
            assertEquals("overloaded", b.get("code").asText());
            long hintA = a.get("retryAfterMs").asLong();
            long hintB = b.get("retryAfterMs").asLong();
            assertTrue(Math.abs(hintB - hintA) >= 400, "refused clients get different slots: " + hintA + ", " + hintB);
            assertTrue(Math.max(hintA, hintB) <= 1100, "one slot each at 2 a second: " + hintA + ", " + hintB);
            assertEquals(1013, refused.get(0).awaitCloseCode());
        }
    }

    @Test
    void aFloodCannotSendClientsAwayForLong() throws Exception {
        start(ServerConfig.builder().maxHandshakesPerSecond(1).maxConnectionsPerAddress(1000));
        long longest = 0;
        for (int i = 0; i < 45; i++) {
            try (RawSignalingClient c = RawSignalingClient.connect(server.url())) {
                JsonNode first = c.nextOrNull(300); // admitted connections hear nothing until hello
                if (first != null && "error".equals(first.path("type").asText())) {
                    longest = Math.max(longest, first.get("retryAfterMs").asLong());
                }
            }
        }
        assertTrue(longest > 20_000, "the queue grew one slot a refusal: " + longest);
        assertTrue(longest <= SignalingServer.MAX_ADMISSION_WAIT_MS, "but never past the cap: " + longest);
    }

    @Test
    void onlyAllowedOriginsMayConnect() throws Exception {
        start(ServerConfig.builder().allowedOrigins(Set.of("https://listings.example")));
        try (RawSignalingClient evil = RawSignalingClient.connect(server.url(), Map.of("Origin", "https://evil.example"), null, null);
             RawSignalingClient good = RawSignalingClient.connect(server.url(), Map.of("Origin", "https://listings.example"), null, null)) {
            JsonNode error = evil.next("error");
            assertEquals("origin-not-allowed", error.get("code").asText());
            assertTrue(error.get("message").asText().contains("evil.example"));
            assertEquals(CloseFrame.POLICY_VALIDATION, evil.awaitCloseCode());
            good.send("{\"type\":\"hello\",\"version\":1}");
            assertEquals("welcome", good.next().get("type").asText());
        }
    }

    @Test
    void servesWssFromAPkcs12Keystore() throws Exception {
        Path keystore = selfSignedKeystore();
        start(ServerConfig.builder().tls(new ServerConfig.Tls(keystore, "changeit", null, null)));
        assertTrue(server.url().startsWith("wss://127.0.0.1:"));
        assertWelcomedOverTls(keystore);
    }

    @Test
    void servesWssFromPemFilesInPkcs8AndPkcs1() throws Exception {
        Path keystore = selfSignedKeystore();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("server", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("server");
        Path certPem = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
        Path pkcs8 = Files.writeString(dir.resolve("key8.pem"), pem("PRIVATE KEY", key.getEncoded()));
        byte[] rsa = PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        Path pkcs1 = Files.writeString(dir.resolve("key1.pem"), pem("RSA PRIVATE KEY", rsa));

        for (Path keyPem : List.of(pkcs8, pkcs1)) {
            start(ServerConfig.builder().tls(new ServerConfig.Tls(null, null, certPem, keyPem)));
            assertWelcomedOverTls(keystore);
            server.close();
            server = null;
        }
    }

    @Test
    void badTlsMaterialIsRefusedClearly() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("nope.pem"), "hello");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SignalingServer(ServerConfig.builder()
                .port(0).tls(new ServerConfig.Tls(null, null, cert, notAKey)).build()).start());
        assertTrue(e.getMessage().contains("TLS certificate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ServerConfig.Tls(null, null, cert, null));
    }

    private void assertWelcomedOverTls(Path trustStore) throws Exception {
        try (RawSignalingClient client = RawSignalingClient.connect(server.url(), Map.of(), null, trusting(trustStore))) {
            client.send("{\"type\":\"hello\",\"version\":1}");
            assertEquals("welcome", client.next().get("type").asText());
        }
    }

    private Path selfSignedKeystore() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        return keystore;
    }

    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
