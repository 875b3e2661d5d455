package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.testing.SwarmkeeperProcess;
import io.swarmkeeper.testing.TestNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line contract, as a new user meets it: separate processes for the signaling
 * server, the seeder and each fetch, a website origin on loopback.
 */
@Timeout(180)
class CommandLineTest {
    @TempDir
    Path dir;

    private DemoOrigin origin;
    private SwarmkeeperProcess server;
    private SwarmkeeperProcess seeder;

    @BeforeEach
    void startOrigin() throws Exception {
        origin = DemoOrigin.start();
    }

    @AfterEach
    void stopAll() {
        if (seeder != null) {
            seeder.stop();
        }
        if (server != null) {
            server.stop();
        }
        origin.close();
    }

    @Test
    void serverSeedAndFetchDeliverVerifiedBytesFromThePeer() throws Exception {
        TestNetwork.requireIsolatedOrAllowed();
        byte[] body = DemoOrigin.sampleBytes(10, 2_000_000);
        ResourceId id = origin.add("listing/kitchen.jpg", body);
        byte[] wrong = DemoOrigin.sampleBytes(11, 50_000);
        ResourceId trueIdOfLie = origin.add("listing/lie.jpg", DemoOrigin.sampleBytes(12, 50_000));
        origin.lieAbout("listing/lie.jpg", wrong);
        Path manifest = Files.writeString(dir.resolve("manifest.json"), """
                {"resources":[
                  {"url":"%s","hash":"%s"},
                  {"url":"%s","hash":"%s"}
                ]}""".formatted(origin.url("listing/kitchen.jpg"), id.text(), origin.url("listing/lie.jpg"), trueIdOfLie.text()));

        // The website signs its manifest; the seeder trusts only its key.
        SwarmkeeperProcess.Result keygen = SwarmkeeperProcess.run("keygen", "--out", dir.resolve("origin").toString());
        assertEquals(0, keygen.exitCode(), keygen.stderr());
        String publicKey = keygen.stdoutLines().get(0);
        SwarmkeeperProcess.Result signed = SwarmkeeperProcess.run("sign", "--key", dir.resolve("origin.key").toString(),
                manifest.toString());
        assertEquals(0, signed.exitCode(), signed.stderr());

        server = SwarmkeeperProcess.start("server", "--host", "127.0.0.1", "--port", "0");
        String url = server.awaitStdout("ws://127.0.0.1:").replaceAll(".*(ws://\\S+).*", "$1");
        seeder = SwarmkeeperProcess.start("seed", "--server", url, "--store", dir.resolve("store").toString(),
                "--manifest", manifest.toString(), "--trusted-key", publicKey, "--allow-private-origins");
        seeder.awaitStdout("seeding 1 resources");
        String mismatch = seeder.awaitStderr("expected " + trueIdOfLie.text());
        assertTrue(mismatch.contains(ResourceId.of(wrong).text()), "the log names both hashes: " + mismatch);

        Path out = dir.resolve("kitchen.jpg");
        SwarmkeeperProcess.Result fetched = SwarmkeeperProcess.run("fetch", "--server", url, "--hash", id.text(),
                "--out", out.toString());
        assertEquals(0, fetched.exitCode(), fetched.stderr());
        List<String> lines = fetched.stdoutLines();
        assertEquals(1, lines.size(), "exactly one line on stdout: " + lines);
        JsonNode line = MessageCodec.mapper().readTree(lines.get(0));
        assertEquals(id.text(), line.get("hash").asText());
        assertEquals(body.length, line.get("bytes").asLong());
        assertTrue(line.get("source").asText().startsWith("peer:"), line.toString());
        assertTrue(line.get("verified").asBoolean());
        assertArrayEquals(body, Files.readAllBytes(out));
        assertTrue(line.get("timings") == null, "timings only when asked: " + line);

        // --timings: when each step happened, in order, and the link's setup from the want.
        SwarmkeeperProcess.Result timed = SwarmkeeperProcess.run("fetch", "--server", url, "--hash", id.text(),
                "--out", dir.resolve("timed.jpg").toString(), "--timings");
        assertEquals(0, timed.exitCode(), timed.stderr());
        JsonNode timings = MessageCodec.mapper().readTree(timed.stdoutLines().get(0)).get("timings");
        assertTrue(timings != null, timed.stdout());
        JsonNode since = timings.get("msSinceJvmStart");
        double previous = 0;
        for (String step : List.of("command", "connected", "want", "channelOpen", "firstAnswer", "lastByte", "verified", "done")) {
            assertTrue(since.has(step), step + " missing: " + timings);
            assertTrue(since.get(step).asDouble() >= previous, step + " before the step that comes first: " + timings);
            previous = since.get(step).asDouble();
        }
        assertTrue(timings.get("linkSetupMs").get("channel-open").asDouble() > 0, timings.toString());

        // With a store of its own, fetch keeps what it got and serves it from there next time.
        Path mine = dir.resolve("mine");
        assertEquals(0, SwarmkeeperProcess.run("fetch", "--server", url, "--hash", id.text(), "--store", mine.toString(),
                "--out", dir.resolve("again1.jpg").toString()).exitCode());
        SwarmkeeperProcess.Result local = SwarmkeeperProcess.run("fetch", "--server", url, "--hash", id.text(),
                "--store", mine.toString(), "--out", dir.resolve("again2.jpg").toString());
        assertEquals("store", MessageCodec.mapper().readTree(local.stdoutLines().get(0)).get("source").asText());
        assertArrayEquals(body, Files.readAllBytes(dir.resolve("again2.jpg")));

        // The resource whose origin lied was never stored, so no peer has it, and its origin still lies.
        Path lieOut = dir.resolve("lie.jpg");
        SwarmkeeperProcess.Result refused = SwarmkeeperProcess.run("fetch", "--server", url, "--hash", trueIdOfLie.text(),
                "--origin", origin.url("listing/lie.jpg").toString(), "--out", lieOut.toString(), "--allow-private-origins");
        assertEquals(1, refused.exitCode());
        assertEquals("", refused.stdout().strip());
        assertTrue(refused.stderr().contains("failed the hash"), refused.stderr());
        assertFalse(Files.exists(lieOut), "nothing is written when nothing verified");
    }

    @Test
    void sigtermInTheMiddleOfADownloadLeavesTheStoreConsistent() throws Exception {
        TestNetwork.requireIsolatedOrAllowed();
        byte[] quick = DemoOrigin.sampleBytes(21, 300_000);
        ResourceId quickId = origin.add("quick.bin", quick);
        byte[] slow = DemoOrigin.sampleBytes(22, 4_000_000);
        ResourceId slowId = ResourceId.of(slow);
        com.sun.net.httpserver.HttpServer trickle = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        trickle.createContext("/slow.bin", ex -> {
            ex.sendResponseHeaders(200, slow.length);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                for (int at = 0; at < slow.length; at += 16_384) {
                    out.write(slow, at, Math.min(16_384, slow.length - at));
                    out.flush();
                    Thread.sleep(50); // about 320 kB/s: the download takes about 12 s
                }
            } catch (IOException | InterruptedException e) {
                // the seeder went away, as it should
            }
        });
        trickle.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        trickle.start();
        try {
            Path manifest = Files.writeString(dir.resolve("manifest.json"), """
                    {"resources":[{"url":"%s","hash":"%s"},{"url":"http://127.0.0.1:%d/slow.bin","hash":"%s"}]}"""
                    .formatted(origin.url("quick.bin"), quickId.text(), trickle.getAddress().getPort(), slowId.text()));
            server = SwarmkeeperProcess.start("server", "--port", "0");
            String url = server.awaitStdout("ws://").replaceAll(".*(ws://\\S+).*", "$1");
            Path store = dir.resolve("store");
            seeder = SwarmkeeperProcess.start("seed", "--server", url, "--store", store.toString(),
                    "--manifest", manifest.toString(), "--allow-private-origins");
            seeder.awaitStderr("stored " + quickId.shortForm());
            Thread.sleep(1500); // now in the middle of slow.bin
            int code = seeder.terminate(java.time.Duration.ofSeconds(15));
            seeder = null;
            assertTrue(code == 143 || code == 0, "stopped by SIGTERM, not killed: exit " + code);
            assertFalse(Files.exists(store.resolve("running")), "the store was closed cleanly");
            try (io.swarmkeeper.store.ContentStore reopened = io.swarmkeeper.store.ContentStore.open(store)) {
                assertEquals(List.of(quickId), reopened.list().stream().map(io.swarmkeeper.store.StoredResource::id).toList(),
                        "what was stored is there, what was half-downloaded is not");
                assertEquals(0, reopened.scrub(Integer.MAX_VALUE).dropped().size());
                assertArrayEquals(quick, reopened.readAll(quickId).orElseThrow());
            }
        } finally {
            trickle.stop(0);
        }
    }

    @Test
    void fetchFallsBackToTheOriginWhenNoPeerHasIt() throws Exception {
        TestNetwork.requireIsolatedOrAllowed();
        byte[] body = DemoOrigin.sampleBytes(20, 300_000);
        ResourceId id = origin.add("style.css", body);
        server = SwarmkeeperProcess.start("server", "--port", "0");
        String url = server.awaitStdout("ws://").replaceAll(".*(ws://\\S+).*", "$1");

        Path out = dir.resolve("style.css");
        SwarmkeeperProcess.Result result = SwarmkeeperProcess.run("fetch", "--server", url, "--hash", id.text(),
                "--origin", origin.url("style.css").toString(), "--out", out.toString(), "--allow-private-origins");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("origin", MessageCodec.mapper().readTree(result.stdoutLines().get(0)).get("source").asText());
        assertArrayEquals(body, Files.readAllBytes(out));

        SwarmkeeperProcess.Result none = SwarmkeeperProcess.run("fetch", "--server", url, "--hash", id.text(),
                "--out", dir.resolve("none").toString());
        assertEquals(1, none.exitCode());
        assertEquals(1, none.stderr().strip().lines().count(), "one line: " + none.stderr());
        assertTrue(none.stderr().contains("no peer holds it"), none.stderr());
        assertFalse(Files.exists(dir.resolve("none")));
    }

    @Test
    void hashPrintsOneJsonLinePerFileAndReportsUnreadableOnes() throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "abc");
        SwarmkeeperProcess.Result result = SwarmkeeperProcess.run("hash", a.toString(), dir.resolve("missing").toString());
        assertEquals(1, result.exitCode());
        JsonNode line = MessageCodec.mapper().readTree(result.stdoutLines().get(0));
        assertEquals(a.toString(), line.get("file").asText());
        assertEquals(3, line.get("size").asLong());
        assertEquals("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", line.get("sha224").asText());
        assertEquals(1, result.stdoutLines().size());
        assertTrue(result.stderr().contains("missing: no such file"), result.stderr());
    }

    @Test
    void serverSettingsComeFromFlagsThenEnvironmentThenConfigFile() throws Exception {
        Path config = Files.writeString(dir.resolve("swarmkeeper.properties"),
                "server.host=127.0.0.2\nserver.port=0\nserver.metrics-port=0\n");
        SwarmkeeperProcess fromFile = SwarmkeeperProcess.start("server", "--config", config.toString());
        try {
            fromFile.awaitStdout("ws://127.0.0.2:");
            fromFile.awaitStdout("metrics on http://127.0.0.1:");
        } finally {
            fromFile.stop();
        }
        SwarmkeeperProcess fromEnv = SwarmkeeperProcess.start(Map.of("SWARMKEEPER_CONFIG", config.toString(),
                "SWARMKEEPER_SERVER_HOST", "127.0.0.3"), "server");
        try {
            fromEnv.awaitStdout("ws://127.0.0.3:");
        } finally {
            fromEnv.stop();
        }
        SwarmkeeperProcess fromFlag = SwarmkeeperProcess.start(Map.of("SWARMKEEPER_SERVER_HOST", "127.0.0.3"),
                "server", "--config", config.toString(), "--host", "127.0.0.4");
        try {
            fromFlag.awaitStdout("ws://127.0.0.4:");
        } finally {
            fromFlag.stop();
        }
        SwarmkeeperProcess.Result badEnv = SwarmkeeperProcess.run(Map.of("SWARMKEEPER_SERVER_MAX_PEERS", "lots"),
                "server", "--port", "0");
        assertEquals(2, badEnv.exitCode());
        assertTrue(badEnv.stderr().contains("--max-peers") && badEnv.stderr().contains("lots"), badEnv.stderr());
        SwarmkeeperProcess.Result missing = SwarmkeeperProcess.run("server", "--config", dir.resolve("nope").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.stderr().contains("does not exist"), missing.stderr());
    }

    @Test
    void wrongFlagsAreRefusedClearly() throws Exception {
        SwarmkeeperProcess.Result badHash = SwarmkeeperProcess.run("fetch", "--server", "ws://127.0.0.1:1",
                "--hash", "nope", "--out", dir.resolve("x").toString());
        assertEquals(2, badHash.exitCode());
        assertTrue(badHash.stderr().contains("--hash (from the command line): not a resource id"), badHash.stderr());

        SwarmkeeperProcess.Result unknown = SwarmkeeperProcess.run("seed", "--server", "ws://127.0.0.1:1",
                "--store", dir.resolve("s").toString(), "--upload-slot", "3");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.stderr().contains("Unknown options: '--upload-slot'") && unknown.stderr().contains("Possible solutions: --upload-slots"), unknown.stderr());

        SwarmkeeperProcess.Result badPort = SwarmkeeperProcess.run("server", "--port", "70000");
        assertEquals(2, badPort.exitCode(), "a bad value is a bad flag: " + badPort.stderr());
        assertTrue(badPort.stderr().contains("--port (from the command line): port must be 0..65535"), badPort.stderr());

        SwarmkeeperProcess.Result badManifest = SwarmkeeperProcess.run("seed", "--server", "ws://127.0.0.1:1",
                "--store", dir.resolve("s").toString(), "--manifest", Files.writeString(dir.resolve("m.json"), "{\"resources\":[{\"url\":\"ftp://x\",\"hash\":\"00\"}]}").toString());
        assertEquals(1, badManifest.exitCode());
        assertTrue(badManifest.stderr().contains("resource 0"), badManifest.stderr());

        SwarmkeeperProcess.Result help = SwarmkeeperProcess.run("--help");
        assertEquals(0, help.exitCode());
        for (String command : List.of("server", "seed", "fetch", "hash", "keygen", "sign", "store", "demo")) {
            assertTrue(help.stdout().contains(command), command);
            assertEquals(0, SwarmkeeperProcess.run(command, "--help").exitCode(), command);
        }
    }
}
