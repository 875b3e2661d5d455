package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.geo.GeoSamples;
import io.swarmkeeper.testing.SwarmkeeperProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server --geo-city/--geo-asn/--trusted-proxy} as an operator meets them: a file that
 * cannot be used stops the start with exit code 2, naming the option, where its value came
 * from, the file and what is wrong; one line at start says whether proximity pairing is on.
 */
@Timeout(120)
class GeoSettingsTest {
    @TempDir
    Path dir;

    private static void assertRefused(SwarmkeeperProcess.Result result, String expected) {
        assertEquals(2, result.exitCode(), "exit code 2, stderr: " + result.stderr());
        assertTrue(result.stderr().contains(expected), "expected \"" + expected + "\" in: " + result.stderr());
    }

    @Test
    void anUnusableFileIsNamedWithItsOptionAndSource() throws Exception {
        Path missing = dir.resolve("dbip-city-ipv4.mmdb");
        assertRefused(SwarmkeeperProcess.run("server", "--port", "0", "--geo-city", missing.toString()),
                "--geo-city " + missing + " (from the command line): no such file");

        Path cut = dir.resolve("asn-ipv4.csv");
        String csv = Files.readString(GeoSamples.asnV4());
        Files.writeString(cut, csv.substring(0, csv.length() - 5));
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SERVER_GEO_ASN", cut.toString()), "server", "--port", "0",
                        "--geo-city", GeoSamples.city().toString()),
                "--geo-asn " + cut + " (from environment variable SWARMKEEPER_SERVER_GEO_ASN): does not end with a line break: cut short (truncated)?");

        Path config = Files.writeString(dir.resolve("swarmkeeper.properties"), "server.geo-city=" + GeoSamples.asnV4() + "\n");
        SwarmkeeperProcess.Result wrongFormat = SwarmkeeperProcess.run("server", "--port", "0", "--config", config.toString());
        assertRefused(wrongFormat, "--geo-city " + GeoSamples.asnV4() + " (from configuration file " + config
                + ", key server.geo-city): not a usable city database (MaxMind DB format)");

        assertRefused(SwarmkeeperProcess.run("server", "--port", "0", "--geo-asn", GeoSamples.asnV4().toString()),
                "--geo-asn (from the command line): geo asn files need a city database too (--geo-city)");
        assertRefused(SwarmkeeperProcess.run("server", "--port", "0", "--trusted-proxy", "proxy.example.org"),
                "--trusted-proxy (from the command line): trusted proxy must be an IP address or CIDR block, got \"proxy.example.org\"");
    }

    @Test
    void theStartSaysOnceWhetherProximityPairingIsOn() throws Exception {
        SwarmkeeperProcess off = SwarmkeeperProcess.start("server", "--port", "0");
        try {
            off.awaitStdout("ws://127.0.0.1:");
            assertTrue(off.awaitStdout("proximity pairing off").contains("holders are offered in random order"));
        } finally {
            off.stop();
        }
        SwarmkeeperProcess on = SwarmkeeperProcess.start("server", "--port", "0", "--geo-city", GeoSamples.city().toString(),
                "--geo-asn", GeoSamples.asnV4() + "," + GeoSamples.asnV6(), "--trusted-proxy", "10.0.0.0/8,fd00::/8");
        try {
            String line = on.awaitStdout("proximity pairing on");
            assertTrue(line.contains("city dbip-city-sample.mmdb (IPv6, built "), line);
            assertTrue(line.contains("ASN asn-ipv4-sample.csv (11 networks), ASN asn-ipv6-sample.csv (3 networks)"), line);
            assertTrue(line.contains("IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0"), line);
        } finally {
            on.stop();
        }
    }
}
