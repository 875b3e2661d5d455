package io.swarmkeeper.geo;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * IP address → autonomous system. Two formats: ip-location-db's CSV ranges ({@link AsnRanges})
 * and an ASN database in MaxMind DB format such as DB-IP ASN Lite ({@link AsnMaxMind}); {@link #open}
 * tells them apart by content. Implementations are thread-safe.
 */
public interface AsnDatabase extends AutoCloseable {
    /** The AS of {@code address}, or null when the database has none. Never throws. */
    Asn lookup(InetAddress address);

    /** Networks (ranges or prefixes) it holds, for people. */
    long size();

    Path file();

    @Override
    default void close() {}

    /** Opens and checks {@code file}; whatever is wrong with it is said here, naming it. */
    static AsnDatabase open(Path file) throws GeoDataException {
        if (!Files.exists(file)) {
            throw new GeoDataException(file, "no such file");
        }
        try {
            if (Files.isRegularFile(file) && MaxMindFile.looksLikeMaxMind(file)) {
                return AsnMaxMind.open(file);
            }
        } catch (GeoDataException e) {
            throw e;
        } catch (IOException e) {
            throw new GeoDataException(file, "cannot read: " + e.getMessage(), e);
        }
        return AsnRanges.load(file);
    }
}
