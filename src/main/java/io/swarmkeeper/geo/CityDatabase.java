package io.swarmkeeper.geo;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;

/**
 * IP address → city, from a city database in MaxMind DB format with the flat fields of DB-IP's
 * City Lite as ip-location-db publishes it ({@code latitude}, {@code longitude}, {@code city},
 * {@code country_code}). The whole file is read into memory: a file replaced or rewritten in
 * place later cannot disturb lookups (a memory-mapped one would). Thread-safe.
 */
public final class CityDatabase implements AutoCloseable {
    private final Path file;
    private final Reader reader;
    private final int ipVersion;
    private final Instant built;

    /** The fields read of each record; the rest of a record is skipped. */
    public record Fields(@MaxMindDbParameter(name = "latitude") Float latitude,
                         @MaxMindDbParameter(name = "longitude") Float longitude,
                         @MaxMindDbParameter(name = "city") String city,
                         @MaxMindDbParameter(name = "country_code") String countryCode) {
        @MaxMindDbConstructor
        public Fields {}
    }

    private CityDatabase(Path file, Reader reader) {
        this.file = file;
        this.reader = reader;
        this.ipVersion = reader.getMetadata().ipVersion();
        this.built = reader.getMetadata().buildTime();
    }

    /**
     * Opens and checks {@code file}: it must be a MaxMind DB whose records have a latitude and
     * a longitude. Whatever is wrong is said here, naming the file, never at a later lookup.
     */
    public static CityDatabase open(Path file) throws GeoDataException {
        Reader reader = MaxMindFile.read(file, "city database", Fields.class,
                f -> f.latitude() != null && f.longitude() != null,
                "not a city database: its records have no latitude and longitude",
                "; --geo-city takes DB-IP City Lite in MMDB");
        return new CityDatabase(file, reader);
    }

    /** The city of {@code address}, or null when the database has none (or the address has no place). */
    public City lookup(InetAddress address) {
        InetAddress a = PublicAddress.canonical(address);
        if (ipVersion == 4 && a.getAddress().length == 16) {
            return null; // an IPv4-only database cannot hold an IPv6 address
        }
        try {
            Fields f = reader.get(a, Fields.class);
            if (f == null || f.latitude() == null || f.longitude() == null) {
                return null;
            }
            double lat = f.latitude();
            double lon = f.longitude();
            if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
                return null;
            }
            return new City(new GeoPoint(lat, lon), blankToNull(f.city()), blankToNull(f.countryCode()));
        } catch (IOException | RuntimeException e) {
            return null; // a damaged record: that address has no place, nobody else is affected
        }
    }

    /** 4 when it holds IPv4 addresses only, 6 when IPv6 (and IPv4 within it). */
    public int ipVersion() {
        return ipVersion;
    }

    public Instant built() {
        return built;
    }

    public Path file() {
        return file;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // in memory: nothing to release that could fail
        }
    }
}
