package io.swarmkeeper.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.geo.GeoSamples;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.RedisPerClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proximity pairing across two servers of a cluster: holders on one, askers on the other, the
 * sample geolocation files on both. The ranking, its reasons and the places sent are those of
 * one server alone (server.ProximityPairingTest's fixtures): the records in Redis carry each
 * peer's place, and the asker's server ranks them by the same policy.
 */
@Timeout(60)
class ClusterProximityTest {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";
    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();
    private final List<RawSignalingClient> open = new ArrayList<>();
    private SignalingServer askers;
    private SignalingServer holders;

    @BeforeEach
    void startServers() throws Exception {
        redis.flushAll();
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).redis(redis.url())
                .geoCityFiles(List.of(GeoSamples.city())).geoAsnFiles(List.of(GeoSamples.asnV4(), GeoSamples.asnV6()))
                .trustedProxies(List.of("127.0.0.0/8")).build();
        askers = ClusteredServer.create(config).start();
        holders = ClusteredServer.create(config).start();
    }

    @AfterEach
    void stop() {
        open.forEach(RawSignalingClient::close);
        askers.close();
        holders.close();
    }

    private record Client(RawSignalingClient ws, String id) {
        void send(String text) {
            ws.send(text);
        }

        JsonNode next(String type) throws InterruptedException {
            return ws.next(type);
        }
    }

    /** A client from {@code address} (as X-Forwarded-For says); returns it welcomed. */
    private Client join(SignalingServer server, String role, String address, String helloExtra) throws Exception {
        RawSignalingClient ws = RawSignalingClient.connect(server.url(), Map.of("X-Forwarded-For", address), null, null);
        open.add(ws);
        ws.send("{\"type\":\"hello\",\"version\":1,\"role\":\"" + role + "\"" + helloExtra + "}");
        return new Client(ws, ws.next("welcome").get("id").asText());
    }

    private Client holder(String address) throws Exception {
        Client c = join(holders, "seeder", address, "");
        c.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
        return c;
    }

    private void awaitHolders(int n) throws InterruptedException {
        Poll.until(Duration.ofSeconds(5), n + " holders seen from the askers' server",
                () -> askers.holderCount(ResourceId.parse(HASH)) == n);
    }

    private static JsonNode want(Client asker, int count) throws Exception {
        asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"count\":" + count + "}");
        return asker.next("match").get("peers");
    }

    private static List<String> idsAndReasons(JsonNode peers) {
        List<String> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.get("id").asText() + ":" + p.get("reason").asText()));
        return out;
    }

    @Test
    void holdersOnAnotherServerAreRankedAsOneServerRanksThem() throws Exception {
        Client sydney = holder("1.1.1.1");
        Client mountainView = holder("8.8.8.8");
        Client london = holder("81.2.69.7");
        Client unplaced = holder("10.20.30.40");
        awaitHolders(4);

        Client asker = join(askers, "browser", "81.2.69.160", ""); // London, the London holder's AS
        JsonNode peers = want(asker, 4);
        assertEquals(List.of(london.id() + ":asn", mountainView.id() + ":distance", sydney.id() + ":distance",
                unplaced.id() + ":unknown"), idsAndReasons(peers));
        assertEquals("{\"city\":\"London\",\"country\":\"GB\"}", peers.get(0).get("place").toString());
        assertEquals("{\"city\":\"Mountain View\",\"country\":\"US\"}", peers.get(1).get("place").toString());
        assertFalse(peers.get(3).has("place"), "no place for a private address");

        // The holder, on the other server, learns why and where from (city and country, nothing finer).
        asker.send("{\"type\":\"signal\",\"to\":\"" + london.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
        JsonNode relayed = london.next("signal");
        assertEquals("asn", relayed.get("reason").asText());
        assertEquals("{\"city\":\"London\",\"country\":\"GB\"}", relayed.get("place").toString());
    }

    @Test
    void browserCoordinatesRankAcrossServersAndAreNeverRelayed() throws Exception {
        Client sydney = holder("1.1.1.1");
        Client mountainView = holder("8.8.8.8");
        awaitHolders(2);
        // Its address says Sydney; its browser says Palo Alto, 10 km from the Mountain View holder.
        Client asker = join(askers, "browser", "1.1.1.200",
                ",\"coords\":{\"lat\":37.441883,\"lon\":-122.143019,\"accuracy\":18.5}");
        assertEquals(List.of(mountainView.id() + ":distance", sydney.id() + ":distance"), idsAndReasons(want(asker, 2)));
        asker.send("{\"type\":\"signal\",\"to\":\"" + mountainView.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
        String relayed = mountainView.next("signal").toString();
        assertFalse(relayed.contains("37.4") || relayed.contains("122.1") || relayed.contains("lat")
                || relayed.contains("place"), relayed);

        // And the other way round: a holder placed by its browser, ranked from the other server.
        Client paloAlto = join(holders, "seeder", "1.1.1.7",
                ",\"coords\":{\"lat\":37.44,\"lon\":-122.14,\"accuracy\":25}");
        paloAlto.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
        awaitHolders(3);
        Client nearPaloAlto = join(askers, "browser", "8.8.8.200", "");
        assertEquals(mountainView.id() + ":asn", idsAndReasons(want(nearPaloAlto, 3)).get(0));
        assertEquals(paloAlto.id(), want(nearPaloAlto, 3).get(1).get("id").asText(),
                "the browser-placed holder next: its coordinates were kept in the shared record");
    }
}
