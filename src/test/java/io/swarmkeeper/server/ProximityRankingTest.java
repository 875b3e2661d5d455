package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.geo.Asn;
import io.swarmkeeper.geo.BrowserPosition;
import io.swarmkeeper.geo.GeoPoint;
import io.swarmkeeper.geo.GeoSamples;
import io.swarmkeeper.geo.Geolocator;
import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.protocol.PeerRole;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proximity ranking's order (docs/protocol.md, "Proximity ranking"): same AS and near, then
 * same city, then distance, then unknown; near-equals shuffled; and how {@link HolderChoice}
 * composes with it. Places come from the sample databases where they can.
 */
class ProximityRankingTest {
    private static Geolocator geo;
    private final ProximityRanking ranking = new ProximityRanking();

    @BeforeAll
    static void open() throws Exception {
        geo = Geolocator.open(List.of(GeoSamples.city()), List.of(GeoSamples.asnV4(), GeoSamples.asnV6()));
    }

    @AfterAll
    static void close() {
        geo.close();
    }

    private static PeerRecord at(String id, String address) throws Exception {
        return new PeerRecord(id, PeerRole.PEER, geo.locate(InetAddress.getByName(address)));
    }

    private static PeerRecord browserAt(String id, String address, double lat, double lon) throws Exception {
        return new PeerRecord(id, PeerRole.BROWSER,
                geo.locate(InetAddress.getByName(address), BrowserPosition.coarsen(lat, lon, 25.0)));
    }

    private static PeerRecord place(String id, double lat, double lon, String city, String country, long asn) {
        return new PeerRecord(id, PeerRole.SEEDER, new PeerPlace(new GeoPoint(lat, lon), city, country,
                asn < 0 ? null : new Asn(asn, "AS" + asn), false));
    }

    private List<String> order(PeerRecord asker, List<PeerRecord> holders) {
        return ranking.rank(asker, holders, holders.size()).stream()
                .map(r -> r.peer().id() + ":" + r.reason()).toList();
    }

    @Test
    void sameNetworkNearbyThenSameCityThenNearestThenUnknown() throws Exception {
        PeerRecord asker = at("asker", "81.2.69.160");                       // London, AS20712
        PeerRecord sameAsn = at("same-asn", "81.2.69.7");                    // London, AS20712
        PeerRecord sameCity = place("same-city", 51.51, -0.10, "London", "GB", 5089); // London, another AS
        PeerRecord hanover = at("hanover", "193.99.144.85");                 // 683 km
        PeerRecord frankfurt = at("frankfurt", "2a00:1450:4001:82a::200e");  // 636 km, over IPv6: near-equals
        PeerRecord sydney = at("sydney", "1.1.1.1");
        PeerRecord lan = at("lan", "192.168.1.20");
        PeerRecord nowhere = at("nowhere", "5.5.5.5");                       // public, not in the sample
        List<String> got = order(asker, List.of(nowhere, sydney, lan, hanover, sameCity, frankfurt, sameAsn));
        assertEquals(List.of("same-asn:asn", "same-city:city"), got.subList(0, 2));
        assertEquals(List.of("frankfurt:distance", "hanover:distance"), got.subList(2, 4).stream().sorted().toList(),
                "636 and 683 km are in one distance band: either may come first");
        assertEquals("sydney:distance", got.get(4));
        assertEquals(List.of("lan:unknown", "nowhere:unknown"), got.subList(5, 7).stream().sorted().toList(),
                "addresses without a place come last, in any order");
    }

    @Test
    void theSameNetworkFarAwayIsOnlyADistance() throws Exception {
        PeerRecord asker = at("asker", "8.8.8.8");                        // Mountain View, AS15169
        PeerRecord googleFrankfurt = at("google-fra", "2a00:1450:4001::1"); // AS15169, 9,000 km
        PeerRecord quad9Berkeley = at("berkeley", "9.9.9.9");            // AS19281, 55 km
        assertEquals(List.of("berkeley:distance", "google-fra:distance"), order(asker, List.of(googleFrankfurt, quad9Berkeley)));
    }

    @Test
    void aBrowserPositionIsPreferredToTheAddress() throws Exception {
        // Its address says Sydney, its browser says Rio: ranked from Rio.
        PeerRecord asker = browserAt("asker", "1.1.1.1", -22.95, -43.2);
        PeerRecord rio = at("rio", "200.147.66.1");
        PeerRecord sydney = at("sydney", "1.1.1.2");
        assertEquals(List.of("rio:distance", "sydney:distance"), order(asker, List.of(sydney, rio)));
        // A browser on a private address (no address place at all) is still placed by its position.
        PeerRecord lanBrowser = browserAt("lan-browser", "10.0.0.5", 37.4, -122.1);
        assertEquals("mv:distance", order(lanBrowser, List.of(rio, at("mv", "8.8.8.8"))).get(0));
    }

    @Test
    void anUnplacedAskerGetsEveryoneAsUnknownWithoutFailing() throws Exception {
        for (String address : List.of("127.0.0.1", "100.64.3.2", "fd00::1", "::1", "5.5.5.5")) {
            PeerRecord asker = at("asker", address);
            List<HolderRanking.Ranked> ranked = ranking.rank(asker, List.of(at("a", "8.8.8.8"), at("b", "1.1.1.1"),
                    at("c", "10.0.0.1")), 3);
            assertEquals(3, ranked.size(), address);
            ranked.forEach(r -> assertEquals(ProximityRanking.UNKNOWN, r.reason()));
        }
    }

    @Test
    void theAskerIsNeverOfferedToItselfAndCountIsHeldTo() throws Exception {
        PeerRecord asker = at("asker", "81.2.69.160");
        List<HolderRanking.Ranked> ranked = ranking.rank(asker, List.of(asker, at("a", "8.8.8.8"), at("b", "1.1.1.1")), 1);
        assertEquals(1, ranked.size());
        assertEquals("a", ranked.get(0).peer().id());
        assertTrue(ranking.rank(asker, List.of(asker), 5).isEmpty());
    }

    @Test
    void holdersAtTheSameDistanceShareTheLoad() {
        PeerRecord asker = place("asker", 48.85, 2.35, "Paris", "FR", 3215);
        // Four holders in Lyon (390 km): equal; one in Brussels (260 km) first; one in Marseille (660 km) last.
        List<PeerRecord> holders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            holders.add(place("lyon-" + i, 45.76, 4.84, "Lyon", "FR", 1000 + i));
        }
        holders.add(place("brussels", 50.85, 4.35, "Brussels", "BE", 5432));
        holders.add(place("marseille", 43.30, 5.37, "Marseille", "FR", 3215));
        Map<String, Integer> second = new HashMap<>();
        for (int round = 0; round < 2000; round++) {
            List<HolderRanking.Ranked> ranked = ranking.rank(asker, holders, holders.size());
            assertEquals("brussels", ranked.get(0).peer().id());
            assertEquals("marseille", ranked.get(5).peer().id());
            second.merge(ranked.get(1).peer().id(), 1, Integer::sum);
        }
        assertEquals(4, second.size(), "each Lyon holder comes second sometimes: " + second);
        second.values().forEach(n -> assertTrue(n > 300, "load spreads evenly over equals: " + second));
    }

    @Test
    void nearlyEqualDistancesAreEqualsButClearlyNearerIsNot() {
        PeerRecord asker = place("asker", 52.52, 13.40, "Berlin", "DE", 3320);
        PeerRecord hamburg = place("hamburg", 53.55, 9.99, "Hamburg", "DE", 1);   // 255 km
        PeerRecord leipzig = place("leipzig", 51.34, 12.37, "Leipzig", "DE", 2);  // 149 km
        PeerRecord dresden = place("magdeburg", 52.13, 11.63, "Magdeburg", "DE", 3);  // 128 km
        Map<String, Integer> first = new HashMap<>();
        for (int round = 0; round < 1000; round++) {
            List<HolderRanking.Ranked> ranked = ranking.rank(asker, List.of(hamburg, leipzig, dresden), 3);
            first.merge(ranked.get(0).peer().id(), 1, Integer::sum);
            assertEquals("hamburg", ranked.get(2).peer().id(), "255 km is not near-equal to 128-149 km");
        }
        assertTrue(first.getOrDefault("leipzig", 0) > 300 && first.getOrDefault("magdeburg", 0) > 300,
                "128 and 149 km are near-equals: " + first);
    }

    @Test
    void spareCapacityBreaksTiesWhenKnown() {
        Map<String, Integer> spare = Map.of("busy", 0, "idle", 6);
        ProximityRanking bySlots = new ProximityRanking(p -> spare.getOrDefault(p.id(), -1));
        PeerRecord asker = place("asker", 40.0, -3.7, "Madrid", "ES", 12479);
        PeerRecord busy = place("busy", 41.39, 2.17, "Barcelona", "ES", 1);
        PeerRecord idle = place("idle", 41.39, 2.17, "Barcelona", "ES", 2);
        PeerRecord unknown = place("unknown", 41.39, 2.17, "Barcelona", "ES", 3);
        for (int round = 0; round < 50; round++) {
            List<String> ids = bySlots.rank(asker, List.of(unknown, busy, idle), 3).stream().map(r -> r.peer().id()).toList();
            assertEquals("idle", ids.get(0), "free slots first; none free and unknown are alike: " + ids);
        }
    }

    @Test
    void bandsSayWhoAreNearEquals() {
        assertEquals(0, ProximityRanking.distanceBand(0));
        assertEquals(0, ProximityRanking.distanceBand(5));
        assertEquals(3, ProximityRanking.distanceBand(25));
        assertEquals(ProximityRanking.distanceBand(128), ProximityRanking.distanceBand(149));
        assertTrue(ProximityRanking.distanceBand(255) > ProximityRanking.distanceBand(149));
        assertTrue(ProximityRanking.distanceBand(1000) > ProximityRanking.distanceBand(700));
        assertEquals(29, ProximityRanking.distanceBand(20_015));
    }

    @Test
    void aServingRecordReordersOnlyWithinABandNeverOverANearerOne() throws Exception {
        PeerRecord asker = at("asker", "81.2.69.160");                 // London
        PeerRecord nearNewcomer = place("near-new", 51.52, -0.11, "London", "GB", 2856);
        PeerRecord farVeteran = at("far-veteran", "1.1.1.1");          // Sydney, with a record
        PeerRecord midA = place("brussels-new", 50.85, 4.35, "Brussels", "BE", 1);        // 320 km
        PeerRecord midB = place("brussels-veteran", 50.84, 4.36, "Brussels", "BE", 2);
        List<PeerRecord> holders = List.of(farVeteran, midA, nearNewcomer, midB);
        Map<String, InetAddress> networks = new HashMap<>();
        int n = 1;
        for (PeerRecord h : holders) {
            networks.put(h.id(), InetAddress.getByName("203.0.113." + n++));
        }
        for (int round = 0; round < 200; round++) {
            List<HolderRanking.Ranked> policy = ranking.rank(asker, holders, holders.size());
            List<String> chosen = HolderChoice.choose(policy, 4, p -> networks.get(p.id()),
                    p -> p.id().endsWith("veteran") ? 3 : 0).stream().map(r -> r.peer().id()).toList();
            assertEquals(List.of("near-new", "brussels-veteran", "brussels-new", "far-veteran"), chosen,
                    "nearest first though new; among the Brussels equals, the record first");
        }
    }
}
