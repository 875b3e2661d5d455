package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.SwarmkeeperProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seed} and {@code fetch} against a website on loopback, as separate processes: such an
 * origin is refused unless {@code --allow-private-origins} is given, and {@code fetch --size}
 * cuts an origin that sends more. No peer holds anything here, so no WebRTC link is made.
 */
@Timeout(120)
class OriginOptionsTest {
    @TempDir
    Path dir;

    private DemoOrigin origin;
    private SignalingServer server;
    private HttpServer endless;

    @BeforeEach
    void start() throws IOException {
        origin = DemoOrigin.start();
        server = new SignalingServer(ServerConfig.loopback(0)).start();
        endless = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        endless.createContext("/grows.bin", ex -> {
            try (ex) {
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                byte[] more = new byte[64 * 1024];
                for (long written = 0; written < 256L * 1024 * 1024; written += more.length) {
                    out.write(more);
                }
            } catch (IOException e) {
                // the client hung up
            }
        });
        endless.start();
    }

    @AfterEach
    void stop() {
        endless.stop(0);
        server.close();
        origin.close();
    }

    @Test
    void seedRefusesAManifestAtALoopbackAddressUnlessAllowed() throws Exception {
        origin.add("a.css", "body{}".getBytes());
        SwarmkeeperProcess.Result refused = SwarmkeeperProcess.run("seed", "--server", server.url(),
                "--store", dir.resolve("store").toString(), "--manifest", origin.manifestUrl().toString());
        assertEquals(1, refused.exitCode(), refused.stderr());
        assertTrue(refused.stderr().contains("manifest " + origin.manifestUrl() + " refused: 127.0.0.1, a loopback address")
                && refused.stderr().contains("--allow-private-origins"), refused.stderr());
    }

    @Test
    void fetchRefusesAnOriginAtALoopbackAddressUnlessAllowed() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(51, 100_000);
        ResourceId id = origin.add("style.css", body);
        Path out = dir.resolve("style.css");

        SwarmkeeperProcess.Result refused = SwarmkeeperProcess.run("fetch", "--server", server.url(), "--hash", id.text(),
                "--origin", origin.url("style.css").toString(), "--out", out.toString());
        assertEquals(1, refused.exitCode(), refused.stderr());
        assertTrue(refused.stderr().contains("origin failed: origin " + origin.url("style.css")
                + " refused: 127.0.0.1, a loopback address"), refused.stderr());
        assertFalse(Files.exists(out));

        SwarmkeeperProcess.Result allowed = SwarmkeeperProcess.run("fetch", "--server", server.url(), "--hash", id.text(),
                "--origin", origin.url("style.css").toString(), "--out", out.toString(), "--allow-private-origins",
                "--size", String.valueOf(body.length));
        assertEquals(0, allowed.exitCode(), allowed.stderr());
        assertArrayEquals(body, Files.readAllBytes(out));
    }

    @Test
    void fetchWithAKnownSizeCutsAnOriginThatSendsMore() throws Exception {
        ResourceId id = ResourceId.of(new byte[100_000]);
        Path out = dir.resolve("grows.bin");
        SwarmkeeperProcess.Result cut = SwarmkeeperProcess.run("fetch", "--server", server.url(), "--hash", id.text(),
                "--origin", "http://127.0.0.1:" + endless.getAddress().getPort() + "/grows.bin", "--out", out.toString(),
                "--allow-private-origins", "--size", "100000");
        assertEquals(1, cut.exitCode(), cut.stderr());
        assertTrue(cut.stderr().contains("sent more than its known size of 100000 bytes"), cut.stderr());
        assertFalse(Files.exists(out));
    }
}
