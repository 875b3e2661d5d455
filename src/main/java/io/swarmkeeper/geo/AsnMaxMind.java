package io.swarmkeeper.geo;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;

/** An ASN database in MaxMind DB format (DB-IP ASN Lite, GeoLite2 ASN fields), read whole into memory. */
final class AsnMaxMind implements AsnDatabase {
    private final Path file;
    private final Reader reader;

    /** The fields read of each record. */
    public record Fields(@MaxMindDbParameter(name = "autonomous_system_number") Long number,
                         @MaxMindDbParameter(name = "autonomous_system_organization") String organisation) {
        @MaxMindDbConstructor
        public Fields {}
    }

    private AsnMaxMind(Path file, Reader reader) {
        this.file = file;
        this.reader = reader;
    }

    static AsnMaxMind open(Path file) throws GeoDataException {
        Reader reader = MaxMindFile.read(file, "ASN database", Fields.class, f -> f.number() != null,
                "not an ASN database: its records have no autonomous_system_number", "");
        return new AsnMaxMind(file, reader);
    }

    @Override
    public Asn lookup(InetAddress address) {
        InetAddress a = PublicAddress.canonical(address);
        if (reader.getMetadata().ipVersion() == 4 && a.getAddress().length == 16) {
            return null;
        }
        try {
            Fields f = reader.get(a, Fields.class);
            if (f == null || f.number() == null || f.number() < 0 || f.number() > Asn.MAX) {
                return null;
            }
            return new Asn(f.number(), f.organisation());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public long size() {
        return reader.getMetadata().nodeCount();
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // in memory
        }
    }
}
