package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertRefused(SwarmkeeperProcess.run("server", "--heartbeat-seconds", "0"),
                "--heartbeat-seconds (from the command line): heartbeat seconds must be 1..3600, got 0");
        assertRefused(SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SERVER_METRICS_PORT", "70000"), "server", "--port", "0"),
                "--metrics-port (from environment variable SWARMKEEPER_SERVER_METRICS_PORT) must be 0..65535, got 70000");
    }
}
