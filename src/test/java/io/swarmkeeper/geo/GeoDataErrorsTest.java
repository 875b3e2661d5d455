package io.swarmkeeper.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file that cannot be used is refused when it is opened, with its name and what is wrong. */
class GeoDataErrorsTest {
    @TempDir
    Path dir;

    private GeoDataException cityRefused(Path file) {
        GeoDataException e = assertThrows(GeoDataException.class, () -> Geolocator.open(List.of(file), List.of()));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e;
    }

    private GeoDataException asnRefused(Path file) {
        GeoDataException e = assertThrows(GeoDataException.class,
                () -> Geolocator.open(List.of(GeoSamples.city()), List.of(GeoSamples.asnV4(), file)));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e;
    }

    @Test
    void aMissingFile() {
        assertTrue(cityRefused(dir.resolve("nowhere.mmdb")).getMessage().contains("no such file"));
        assertTrue(asnRefused(dir.resolve("nowhere.csv")).getMessage().contains("no such file"));
    }

    @Test
    void aTruncatedCityDatabase() throws Exception {
        byte[] whole = Files.readAllBytes(GeoSamples.city());
        Path cut = dir.resolve("cut.mmdb");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        String message = cityRefused(cut).getMessage();
        assertTrue(message.contains("truncated"), message);
    }

    @Test
    void anAsnFileGivenAsTheCityDatabase() {
        String message = cityRefused(GeoSamples.asnV4()).getMessage();
        assertTrue(message.contains("MaxMind DB"), message);
    }

    @Test
    void theCityDatabaseGivenAsTheAsnDatabase() {
        String message = asnRefused(GeoSamples.city()).getMessage();
        assertTrue(message.contains("not an ASN database"), message);
    }

    @Test
    void aTruncatedAsnCsv() throws Exception {
        String whole = Files.readString(GeoSamples.asnV4());
        Path cut = dir.resolve("cut.csv");
        Files.writeString(cut, whole.substring(0, whole.indexOf("Verizon") + 3));
        String message = asnRefused(cut).getMessage();
        assertTrue(message.contains("truncated"), message);
    }

    @Test
    void anAsnCsvWithABadLineNamesTheLine() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "1.0.0.0,1.0.0.255,13335,Cloudflare\n1.0.4.0,1.0.7.255,thirty-eight,Gtelecom\n");
        assertTrue(asnRefused(bad).getMessage().contains("line 2: not an AS number"));
        Files.writeString(bad, "1.0.0.0,1.0.0.255,99999999999,Too big\n");
        assertTrue(asnRefused(bad).getMessage().contains("line 1: AS number out of range"));
        Files.writeString(bad, "1.0.0.9,1.0.0.0,1,Backwards\n");
        assertTrue(asnRefused(bad).getMessage().contains("line 1: the range ends before it starts"));
        Files.writeString(bad, "example.com,1.0.0.0,1,A name\n");
        assertTrue(asnRefused(bad).getMessage().contains("line 1: not an IP address range"));
        Files.writeString(bad, "1.0.0.0,::1,1,Mixed\n");
        assertTrue(asnRefused(bad).getMessage().contains("line 1: the range mixes IPv4 and IPv6"));
    }

    @Test
    void anEmptyOrBinaryAsnFile() throws Exception {
        Path empty = dir.resolve("empty.csv");
        Files.write(empty, new byte[0]);
        assertTrue(asnRefused(empty).getMessage().contains("empty"));
        Path binary = dir.resolve("binary.csv");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n'});
        String message = asnRefused(binary).getMessage();
        assertTrue(message.contains("not text") || message.contains("line 1"), message);
    }
}
