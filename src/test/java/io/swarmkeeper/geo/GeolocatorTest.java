package io.swarmkeeper.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Known addresses of the sample databases resolve to their cities and networks; others to nothing, quietly. */
class GeolocatorTest {
    private static Geolocator geo;

    @BeforeAll
    static void open() throws Exception {
        geo = Geolocator.open(List.of(GeoSamples.city()), List.of(GeoSamples.asnV4(), GeoSamples.asnV6()));
    }

    @AfterAll
    static void close() {
        geo.close();
    }

    @ParameterizedTest(name = "{0} is in {1}, {2}")
    @CsvSource(delimiter = ';', value = {
            "8.8.8.8; Mountain View; US; 37.422; -122.085",
            "1.1.1.1; Sydney; AU; -33.8688; 151.209",
            "81.2.69.160; London; GB; 51.5143; -0.0912244",
            "193.99.144.85; Hanover; DE; 52.3861; 9.80954",   // "Hanover (Buchholz-Kleefeld)": the district is dropped
            "9.9.9.9; Berkeley; US; 37.8806; -122.268",
            "133.242.1.7; Chiyoda City; JP; 35.694; 139.754", // a /23
            "200.147.67.1; Rio de Janeiro; BR; -22.9068; -43.1729",
            "2a00:1450:4001:82a::200e; Frankfurt am Main; DE; 50.1109; 8.68213",
            "2606:4700:4400::6812:2a1b; Montreal; CA; 45.5019; -73.5674",
            "::ffff:8.8.8.8; Mountain View; US; 37.422; -122.085", // IPv4-mapped: looked up as IPv4
    })
    void sampleAddressesResolveToTheirCities(String address, String city, String country, double lat, double lon)
            throws Exception {
        PeerPlace place = geo.locate(InetAddress.getByName(address));
        assertEquals(city, place.city());
        assertEquals(country, place.country());
        assertEquals(lat, place.point().latitude(), 1e-4);   // stored as 32-bit floats
        assertEquals(lon, place.point().longitude(), 1e-4);
        assertFalse(place.fromBrowser());
        assertEquals(city + ", " + country, place.label());
    }

    @ParameterizedTest(name = "{0} is AS{1}")
    @CsvSource(delimiter = ';', value = {
            "8.8.8.8; 15169; Google LLC",
            "1.1.1.1; 13335; Cloudflare, Inc.",          // quoted in the CSV: it holds a comma
            "81.2.69.160; 20712; Andrews & Arnold Ltd",
            "81.2.127.255; 20712; Andrews & Arnold Ltd",  // a range's last address
            "193.99.145.1; 15743; net.de AG",
            "193.99.150.9; 702; Verizon Business",
            "2a00:1450:4001:82a::200e; 15169; Google LLC",
            "2606:4700:4700::1111; 13335; Cloudflare, Inc.",
    })
    void sampleAddressesResolveToTheirNetworks(String address, long asn, String organisation) throws Exception {
        Asn found = geo.locate(InetAddress.getByName(address)).asn();
        assertEquals(new Asn(asn, organisation), found);
    }

    @Test
    void anAddressBetweenRangesHasNoNetwork() throws Exception {
        assertNull(geo.locate(InetAddress.getByName("193.99.153.1")).asn()); // between two Verizon ranges
        assertSame(PeerPlace.UNKNOWN, geo.locate(InetAddress.getByName("5.5.5.5")));
    }

    @ParameterizedTest(name = "{0} has no place")
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.10", "100.64.0.1", "100.127.255.254",
            "169.254.1.1", "0.0.0.0", "255.255.255.255", "224.0.0.1", "192.0.2.7", "::1", "::", "fe80::1",
            "fd12:3456::1", "2001:db8::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1"})
    void privateLoopbackAndCarrierNatAddressesHaveNoPlace(String address) throws Exception {
        assertSame(PeerPlace.UNKNOWN, geo.locate(InetAddress.getByName(address)));
        assertFalse(PublicAddress.isPublic(InetAddress.getByName(address)));
        assertNull(geo.locate(InetAddress.getByName(address)).label());
    }

    @Test
    void nullHasNoPlace() {
        assertSame(PeerPlace.UNKNOWN, geo.locate(null));
        assertSame(PeerPlace.UNKNOWN, geo.locate(null, null));
    }

    @Test
    void aBrowserPointWinsAndKeepsTheNamesOnlyWhenTheyFit() throws Exception {
        InetAddress london = InetAddress.getByName("81.2.69.160");
        GeoPoint nearby = BrowserPosition.coarsen(51.50, -0.12, 30.0);
        PeerPlace here = geo.locate(london, nearby);
        assertEquals(nearby, here.point());
        assertTrue(here.fromBrowser());
        assertEquals("London, GB", here.label());
        assertEquals(20712, here.asn().number());

        GeoPoint paris = BrowserPosition.coarsen(48.8566, 2.3522, 30.0); // 340 km away: not London, still within 500 km
        PeerPlace away = geo.locate(london, paris);
        assertEquals(paris, away.point());
        assertNull(away.city());
        assertEquals("GB", away.country());

        GeoPoint tokyo = BrowserPosition.coarsen(35.68, 139.69, 30.0);
        PeerPlace far = geo.locate(london, tokyo);
        assertNull(far.label());
        assertEquals(20712, far.asn().number()); // the network is the address's, wherever the browser is

        PeerPlace privateWithCoords = geo.locate(InetAddress.getByName("192.168.1.10"), nearby);
        assertEquals(nearby, privateWithCoords.point());
        assertNull(privateWithCoords.label());
    }

    @Test
    void asnCsvReadsFourByteNumbersNumericFormsAndUnsortedLines(@TempDir Path dir) throws Exception {
        // Lines as in ip-location-db's asn-ipv4.csv and asn-ipv4-num.csv (103.138.210.0 = 1737150976), out of order.
        Path csv = dir.resolve("asn.csv");
        Files.writeString(csv, """
                103.138.210.0,103.138.210.255,4294967294,AS4294967294
                1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
                1737151232,1737151487,4200000001,"Private ""use"" range"
                2001:4:112::,2001:4:112:ffff:ffff:ffff:ffff:ffff,112,DNS-OARC
                """);
        try (AsnDatabase db = AsnDatabase.open(csv)) {
            assertEquals(new Asn(4294967294L, "AS4294967294"), db.lookup(InetAddress.getByName("103.138.210.77")));
            assertEquals(new Asn(4200000001L, "Private \"use\" range"), db.lookup(InetAddress.getByName("103.138.211.1")));
            assertEquals(new Asn(13335, "Cloudflare, Inc."), db.lookup(InetAddress.getByName("1.0.0.1")));
            assertEquals(new Asn(112, "DNS-OARC"), db.lookup(InetAddress.getByName("2001:4:112::1")));
            assertNull(db.lookup(InetAddress.getByName("103.138.212.1")));
            assertNull(db.lookup(InetAddress.getByName("2001:4:113::1")));
            assertEquals(4, db.size());
        }
    }
}
