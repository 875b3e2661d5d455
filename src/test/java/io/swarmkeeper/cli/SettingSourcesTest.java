package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.SwarmkeeperProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad setting is refused at start with exit code 2, naming the option and where its value
 * came from: the command line, an environment variable, or the configuration file and key. Run
 * as a user would, in separate processes.
 */
@Timeout(120)
class SettingSourcesTest {
    @TempDir
    Path dir;

    private static void assertRefused(SwarmkeeperProcess.Result result, String expected) {
        assertEquals(2, result.exitCode(), "exit code 2, stderr: " + result.stderr());
        assertTrue(result.stderr().contains(expected), "expected \"" + expected + "\" in: " + result.stderr());
    }

    @Test
    void aValueThatDoesNotParseNamesItsSource() throws Exception {
        assertRefused(SwarmkeeperProcess.run("server", "--port", "abc"),
                "Invalid value for option '--port' (from the command line): 'abc' is not an int");
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SERVER_PORT", "abc"), "server"),
                "Invalid value for option '--port' (from environment variable SWARMKEEPER_SERVER_PORT): 'abc' is not an int");
        Path config = Files.writeString(dir.resolve("swarmkeeper.properties"), "server.port=abc\nseed.quota=lots\n");
        assertRefused(SwarmkeeperProcess.run("server", "--config", config.toString()),
                "Invalid value for option '--port' (from configuration file " + config + ", key server.port): 'abc' is not an int");
        // The file found through $SWARMKEEPER_CONFIG is named the same way; a flag wins over it.
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_CONFIG", config.toString()), "seed",
                "--server", "ws://127.0.0.1:1", "--store", dir.resolve("store").toString()),
                "Invalid value for option '--quota' (from configuration file " + config + ", key seed.quota): 'lots' is not a size");
    }

    @Test
    void aValueRefusedAfterParsingNamesItsSourceToo() throws Exception {
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SERVER_MAX_PEERS", "0"), "server", "--port", "0"),
                "--max-peers (from environment variable SWARMKEEPER_SERVER_MAX_PEERS): max peers must be 1..10000000, got 0");
        Path config = Files.writeString(dir.resolve("seed.properties"), "seed.upload-slots=99\n");
        assertRefused(SwarmkeeperProcess.run("seed", "--config", config.toString(), "--server", "ws://127.0.0.1:1",
                "--store", dir.resolve("store").toString()),
                "--upload-slots (from configuration file " + config + ", key seed.upload-slots): upload slots must be 1..32, got 99");
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SEED_MANIFEST_REFRESH", "10"), "seed",
                "--server", "ws://127.0.0.1:1", "--store", dir.resolve("store").toString()),
                "Invalid value for option '--manifest-refresh' (from environment variable SWARMKEEPER_SEED_MANIFEST_REFRESH):"
                        + " '10' needs a unit: ms, s, m, h or d (e.g. 10m)");
        assertRefused(SwarmkeeperProcess.run("server", "--heartbeat-seconds", "0"),
                "--heartbeat-seconds (from the command line): heartbeat seconds must be 1..3600, got 0");
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SERVER_METRICS_PORT", "70000"), "server", "--port", "0"),
                "--metrics-port (from environment variable SWARMKEEPER_SERVER_METRICS_PORT) must be 0..65535, got 70000");
    }

    @Test
    void iceServersAreUrlsThatRtcIceServerAccepts() throws Exception {
        assertRefused(SwarmkeeperProcess.run("server", "--ice-server", "javascript:alert(1)"),
                "--ice-server javascript:alert(1) (from the command line): an ICE server URL must be stun:, stuns:, turn: or turns:");
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SERVER_ICE_SERVER", "stun://stun.example.org"), "server"),
                "--ice-server stun://stun.example.org (from environment variable SWARMKEEPER_SERVER_ICE_SERVER): an ICE server URL has no // after its scheme");
        assertRefused(SwarmkeeperProcess.run("server", "--ice-server", "turn:turn.example.org:3478"),
                "--ice-server turn:turn.example.org:3478 (from the command line): a TURN server needs --ice-username and --ice-credential");
        assertRefused(SwarmkeeperProcess.run("server", "--ice-username", "u"),
                "--ice-username (from the command line) is set, but no --ice-server is a turn: or turns: URL");

        SwarmkeeperProcess server = SwarmkeeperProcess.start(Map.of("SWARMKEEPER_SERVER_ICE_CREDENTIAL", "s3cret"), "server",
                "--port", "0", "--ice-server", "stun:stun.example.org:3478,turns:turn.example.org?transport=tcp",
                "--ice-username", "swarm");
        try {
            String url = server.awaitStdout("ws://127.0.0.1:").replaceAll(".*(ws://\\S+).*", "$1");
            RawSignalingClient client = RawSignalingClient.connect(url);
            client.send("{\"type\":\"hello\",\"version\":1}");
            JsonNode ice = client.next("welcome").get("iceServers");
            client.close();
            assertEquals(2, ice.size(), ice.toString());
            assertEquals("stun:stun.example.org:3478", ice.get(0).get("urls").get(0).asText());
            assertTrue(ice.get(0).path("username").isMissingNode(), "STUN needs no credentials: " + ice);
            assertEquals("turns:turn.example.org?transport=tcp", ice.get(1).get("urls").get(0).asText());
            assertEquals("swarm", ice.get(1).get("username").asText());
            assertEquals("s3cret", ice.get(1).get("credential").asText());
        } finally {
            server.stop();
        }
    }

    @Test
    void demandOriginsAreHttpOrHttpsUrls() throws Exception {
        String store = dir.resolve("store").toString();
        assertRefused(SwarmkeeperProcess.run("seed", "--server", "ws://127.0.0.1:1", "--store", store, "--demand-origin", "file:///"),
                "--demand-origin file:/// (from the command line): must be an http or https URL");
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SEED_DEMAND_ORIGIN", "https://example.com/static/,gopher://x/"),
                "seed", "--server", "ws://127.0.0.1:1", "--store", store),
                "--demand-origin gopher://x/ (from environment variable SWARMKEEPER_SEED_DEMAND_ORIGIN): must be an http or https URL");
        assertRefused(SwarmkeeperProcess.run("seed", "--server", "ws://127.0.0.1:1", "--store", store,
                "--demand-origin", "http://127.0.0.1:8080/static/"),
                "127.0.0.1 is a loopback address; demands from it are taken only with --allow-private-origins");
        assertRefused(SwarmkeeperProcess.run("fetch", "--server", "ws://127.0.0.1:1", "--hash",
                "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", "--origin", "file:///etc/passwd",
                "--out", dir.resolve("x").toString()),
                "--origin file:///etc/passwd (from the command line): must be an http or https URL with a host");
    }
}
