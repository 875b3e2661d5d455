package io.swarmkeeper.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.origin.PrivateAddressException;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir
    Path dir;

    private Path site() throws IOException {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.createDirectories(site.resolve("listing"));
        Files.writeString(site.resolve("listing/kitchen 1.jpg"), "kitchen");
        Files.writeString(site.resolve("style.css"), "body{}");
        Files.writeString(site.resolve("abc"), "abc");
        Files.writeString(site.resolve(".htaccess"), "secret");
        return site;
    }

    @Test
    void describesAFolderForTheWebsiteAndForSeeders() throws IOException {
        String json = FolderManifest.build(site(), URI.create("https://example.com/static"), HashAlgorithm.SHA224);
        JsonNode root = MessageCodec.mapper().readTree(json);
        assertEquals("https://example.com/static/", root.get("base_url").asText());
        assertEquals("sha224", root.get("algorithm").asText());
        JsonNode resources = root.get("resources");
        assertEquals(3, resources.size(), "hidden files are left out");
        assertEquals("abc", resources.get(0).get("path").asText(), "sorted by path");
        assertEquals("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", resources.get(0).get("hash").asText());
        assertEquals(3, resources.get(0).get("size").asLong());
        JsonNode kitchen = resources.get(1);
        assertEquals("listing/kitchen 1.jpg", kitchen.get("path").asText());
        assertEquals("https://example.com/static/listing/kitchen%201.jpg", kitchen.get("url").asText());
        assertEquals("image/jpeg", kitchen.get("media_type").asText());
        assertEquals("text/css", resources.get(2).get("media_type").asText());

        assertEquals(json, FolderManifest.build(site(), URI.create("https://example.com/static/"), HashAlgorithm.SHA224),
                "the same folder gives the same bytes, so the same signature");
        Manifest parsed = Manifest.parse(json, "m");
        assertEquals(ResourceId.of("kitchen".getBytes(StandardCharsets.UTF_8)), parsed.resources().get(1).id());

        JsonNode sri = MessageCodec.mapper().readTree(FolderManifest.build(site(), URI.create("https://example.com/"), HashAlgorithm.SHA384));
        assertTrue(sri.get("resources").get(0).get("hash").asText().startsWith("sha384-"));
    }

    @Test
    void refusesAFolderItCannotDescribe() {
        assertMessage(() -> FolderManifest.build(dir.resolve("nope"), URI.create("https://x/"), HashAlgorithm.SHA224), "is not a directory");
        assertMessage(() -> FolderManifest.build(dir, URI.create("/relative"), HashAlgorithm.SHA224), "absolute http or https");
    }

    @Test
    void acceptsOnlyManifestsSignedByATrustedKey() throws IOException {
        Path manifest = Files.writeString(dir.resolve("m.json"), FolderManifest.build(site(), URI.create("https://example.com/"), HashAlgorithm.SHA224));
        SigningKey origin = SigningKey.generate();
        List<OriginKey> trusted = List.of(origin.publicKey());

        assertMessage(() -> Manifest.load(manifest.toString(), trusted), "is not signed (no " + manifest + ".sig)");

        Path sig = Path.of(manifest + ".sig");
        Files.writeString(sig, ManifestSignature.sign(Files.readAllBytes(manifest), origin).toJson());
        assertEquals(3, Manifest.load(manifest.toString(), trusted).resources().size());
        assertEquals(3, Manifest.load(manifest.toString()).resources().size(), "no keys configured: signatures are not needed");

        SigningKey stranger = SigningKey.generate();
        assertMessage(() -> Manifest.load(manifest.toString(), List.of(stranger.publicKey())), "which is not a trusted origin key");

        Files.writeString(manifest, Files.readString(manifest).replace("kitchen", "kitchem"));
        assertMessage(() -> Manifest.load(manifest.toString(), trusted), "does not match its signature");

        // A forger who signs the changed manifest with their own key but claims the origin's key.
        ManifestSignature forged = ManifestSignature.sign(Files.readAllBytes(manifest), stranger);
        Files.writeString(sig, new ManifestSignature(origin.publicKey(), forged.signature()).toJson());
        assertMessage(() -> Manifest.load(manifest.toString(), trusted), "does not match its signature");

        Files.writeString(sig, "{\"algorithm\":\"rsa\"}");
        assertMessage(() -> Manifest.load(manifest.toString(), trusted), "algorithm must be \"ed25519\"");
        Files.writeString(sig, "not json");
        assertMessage(() -> Manifest.load(manifest.toString(), trusted), "is not JSON");
    }

    @Test
    void findsSignaturesOfManifestsServedOverHttp() throws Exception {
        assertEquals("https://x/m.json.sig?v=2", Manifest.signatureLocation("https://x/m.json?v=2"));
        assertEquals("/srv/m.json.sig", Manifest.signatureLocation("/srv/m.json"));
        byte[] manifest = FolderManifest.build(site(), URI.create("https://example.com/"), HashAlgorithm.SHA224)
                .getBytes(StandardCharsets.UTF_8);
        SigningKey origin = SigningKey.generate();
        byte[] sig = ManifestSignature.sign(manifest, origin).toJson().getBytes(StandardCharsets.UTF_8);
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        http.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body = path.equals("/signed.json") || path.equals("/unsigned.json") ? manifest
                    : path.equals("/signed.json.sig") ? sig : null;
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            List<OriginKey> trusted = List.of(origin.publicKey());
            AddressPolicy loopback = AddressPolicy.PRIVATE_ALLOWED; // the test's website is on loopback
            assertEquals(3, Manifest.load(base + "/signed.json?cache=1", trusted, loopback).resources().size());
            assertMessage(() -> Manifest.load(base + "/unsigned.json", trusted, loopback), "is not signed (no " + base + "/unsigned.json.sig)");
            assertMessage(() -> Manifest.load(base + "/absent.json", trusted, loopback), "not found");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aManifestUrlAtALoopbackAddressIsRefusedUnlessAllowed() throws Exception {
        byte[] manifest = FolderManifest.build(site(), URI.create("https://example.com/"), HashAlgorithm.SHA224)
                .getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        http.createContext("/", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, manifest.length);
            ex.getResponseBody().write(manifest);
            ex.close();
        });
        http.start();
        try {
            int port = http.getAddress().getPort();
            for (String url : List.of("http://127.0.0.1:" + port + "/m.json", "http://localhost:" + port + "/m.json",
                    "http://[::ffff:127.0.0.1]:" + port + "/m.json")) {
                Exception e = assertThrows(Exception.class, () -> Manifest.load(url), url);
                assertTrue(e instanceof PrivateAddressException, url + ": " + e);
                assertTrue(e.getMessage().startsWith("manifest " + url + " refused: ") && e.getMessage().contains("a loopback address"),
                        e.getMessage());
            }
            assertEquals(0, requests.get(), "nothing was fetched");
            assertEquals(3, Manifest.load("http://127.0.0.1:" + port + "/m.json", List.of(), AddressPolicy.PRIVATE_ALLOWED)
                    .resources().size(), "allowed when the operator says so");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void readsTheSizeOfEachResourceWhenGiven() throws IOException {
        Manifest m = Manifest.parse("""
                {"resources":[{"url":"http://x/a","hash":"%1$s","size":3},{"url":"http://x/b","hash":"%1$s"},
                 {"url":"http://x/c","hash":"%1$s","size":0}]}""".formatted(ResourceId.of("abc".getBytes()).text()), "m");
        assertEquals(List.of(3L, -1L, 0L), m.resources().stream().map(Manifest.Entry::size).toList());
        String hash = ResourceId.of("abc".getBytes()).text();
        for (String bad : List.of("-1", "\"3\"", "1.5", "true", "99999999999999999999")) {
            assertMessage(() -> Manifest.parse("{\"resources\":[{\"url\":\"http://x/a\",\"hash\":\"" + hash
                    + "\",\"size\":" + bad + "}]}", "m"), "resource 0: size must be a whole number of bytes, 0 or more");
        }
        String written = FolderManifest.build(site(), URI.create("https://example.com/"), HashAlgorithm.SHA224);
        assertEquals(List.of(3L, 7L, 6L), Manifest.parse(written, "m").resources().stream().map(Manifest.Entry::size).toList(),
                "the sizes hash --manifest writes are read back");
    }

    @Test
    void keysRoundTripThroughTheirFiles() throws IOException {
        SigningKey key = SigningKey.generate();
        Path file = dir.resolve("origin.key");
        key.write(file);
        SigningKey read = SigningKey.read(file);
        assertEquals(key.publicKey(), read.publicKey());
        assertEquals(key.publicKey(), OriginKey.parse(key.publicKey().text()));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> key.write(file));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertMessage(() -> SigningKey.read(Files.writeString(dir.resolve("x.key"), "hello")), "is not a Swarmkeeper signing key");
        assertThrows(IllegalArgumentException.class, () -> OriginKey.parse("ssh-ed25519 AAAA"));
        assertThrows(IllegalArgumentException.class, () -> OriginKey.parse("ed25519:AAAA"));
        byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte) 0xff); // y = 2^255 - 1 > p: not on the curve
        IllegalArgumentException offCurve = assertThrows(IllegalArgumentException.class,
                () -> OriginKey.parse("ed25519:" + java.util.Base64.getEncoder().encodeToString(notAPoint)));
        assertTrue(offCurve.getMessage().contains("not a valid Ed25519 public key"), offCurve.getMessage());
    }

    @Test
    void refusesBadManifestsWithWhereAndWhy() {
        assertMessage(() -> Manifest.parse("{", "m"), "manifest m is not JSON");
        assertMessage(() -> Manifest.parse("{}", "m"), "needs a \"resources\" array");
        assertMessage(() -> Manifest.parse("{\"resources\":[{\"url\":\"http://x/a\"}]}", "m"), "resource 0: needs \"url\" and \"hash\"");
        assertMessage(() -> Manifest.parse("{\"resources\":[{\"url\":\"file:///a\",\"hash\":\"x\"}]}", "m"), "must be http or https");
        assertMessage(() -> Manifest.parse("{\"resources\":[{\"url\":\"http://x/a\",\"hash\":\"sha1-abc\"}]}", "m"), "unknown hash \"sha1\"");
        assertMessage(() -> Manifest.load(dir.resolve("absent.json").toString()), "not found");
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void assertMessage(Action action, String expected) {
        Exception e = assertThrows(Exception.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
