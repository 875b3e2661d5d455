package io.swarmkeeper.geo;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
        Reader reader = MaxMindFiles.read(file, "city database");
        CityDatabase db = new CityDatabase(file, reader);
        try {
            Networks<Fields> networks = reader.networks(false, Fields.class);
            if (!networks.hasNext()) {
                throw new GeoDataException(file, "the city database holds no networks");
            }
            DatabaseRecord<Fields> first = networks.next();
            Fields f = first.data();
            if (f == null || f.latitude() == null || f.longitude() == null) {
                throw new GeoDataException(file, "not a city database: its records have no latitude and longitude"
                        + " (database type \"" + reader.getMetadata().databaseType() + "\"; --geo-city takes DB-IP City Lite in MMDB)");
            }
        } catch (Exception e) { // the reader's checked exceptions are not all IOExceptions
            db.close();
            if (e instanceof GeoDataException g) {
                throw g;
            }
            throw new GeoDataException(file, "unreadable city database: " + e.getMessage(), e);
        }
        return db;
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

    /** Reading MaxMind DB files whole, with errors that name the file. */
    static final class MaxMindFiles {
        /** The marker that starts the metadata section of every MaxMind DB file. */
        static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
                'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};

        private MaxMindFiles() {}

        static Reader read(Path file, String what) throws GeoDataException {
            if (!Files.exists(file)) {
                throw new GeoDataException(file, "no such file");
            }
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new GeoDataException(file, "not a readable file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return new Reader(in);
            } catch (NoSuchFileException e) {
                throw new GeoDataException(file, "no such file", e);
            } catch (IOException | RuntimeException e) {
                throw new GeoDataException(file, "not a usable " + what + " (MaxMind DB format): " + e.getMessage()
                        + "; is it truncated, or another format?", e);
            }
        }

        /** True when the file's bytes contain the MaxMind DB metadata marker (looked for in its last 128 KiB). */
        static boolean looksLikeMaxMind(Path file) throws IOException {
            long size = Files.size(file);
            try (var channel = Files.newByteChannel(file)) {
                long from = Math.max(0, size - 128 * 1024);
                channel.position(from);
                java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate((int) (size - from));
                while (tail.hasRemaining() && channel.read(tail) > 0) {
                    // read it all
                }
                byte[] b = tail.array();
                outer:
                for (int i = b.length - METADATA_MARKER.length; i >= 0; i--) {
                    for (int j = 0; j < METADATA_MARKER.length; j++) {
                        if (b[i + j] != METADATA_MARKER[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
                return false;
            }
        }
    }
}
