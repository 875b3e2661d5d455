package io.swarmkeeper.geo;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The sample databases in src/test/resources/geo (subsets of DB-IP and ip-location-db; see the README there). */
public final class GeoSamples {
    private GeoSamples() {}

    public static Path city() {
        return resource("dbip-city-sample.mmdb");
    }

    public static Path asnV4() {
        return resource("asn-ipv4-sample.csv");
    }

    public static Path asnV6() {
        return resource("asn-ipv6-sample.csv");
    }

    private static Path resource(String name) {
        URL url = GeoSamples.class.getResource("/geo/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource geo/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
