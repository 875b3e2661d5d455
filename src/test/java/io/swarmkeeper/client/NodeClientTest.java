package io.swarmkeeper.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.SeederPeer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser client's code as a second implementation of both protocols, in Node (simple-peer on
 * node-datachannel, assets/client/test/interop/node-peer.mjs), in one swarm with the real Java
 * signaling server, seeders and fetchers, over real WebRTC inside the test namespace.
 */
@Timeout(120)
class NodeClientTest extends InSwarm {
    private static final String SCRIPT = "test/interop/node-peer.mjs";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static String get(ResourceId id, java.net.URI url) {
        return id.text() + (url == null ? "" : "=" + url);
    }

    @Test
    void theNodeClientFetchesSha224AndMerkleResourcesFromTheJavaSeeder() throws Exception {
        byte[] photo = DemoOrigin.sampleBytes(21, 1_300_000); // three 512 KiB ranges
        byte[] video = DemoOrigin.sampleBytes(22, 3 * 1024 * 1024 + 1000); // 49 pieces, HASHES runs with proofs
        ResourceId photoId = swarm.publish("photo.jpg", photo);
        ResourceId videoId = swarm.publish("video.bin", video, HashAlgorithm.MERKLE_SHA256);
        SeederPeer seeder = swarm.seeder("photo.jpg", "video.bin");
        swarm.origin().close(); // from now on only the seeder has them

        try (NodeProcess node = NodeProcess.start(SCRIPT, "fetch", "--server", swarm.serverUri().toString(),
                "--get", get(photoId, null), "--get", get(videoId, null))) {
            JsonNode first = node.await(WAIT, "result for the SHA-224 id", l -> photoId.text().equals(l.path("id").asText()));
            JsonNode second = node.await(WAIT, "result for the mt256- id", l -> videoId.text().equals(l.path("id").asText()));
            assertEquals(0, node.waitFor(WAIT), node.stderr());
            for (Object[] expected : List.of(new Object[] {first, photo}, new Object[] {second, video})) {
                JsonNode line = (JsonNode) expected[0];
                int size = ((byte[]) expected[1]).length;
                assertEquals("fetched", line.path("event").asText(), line + "\n" + node.stderr());
                assertTrue(line.path("verified").asBoolean(), line.toString());
                assertEquals("peer:" + seeder.id(), line.path("source").asText(), line.toString());
                assertEquals(size, line.path("bytes").asInt(), line.toString());
                assertEquals(size, line.path("blobBytes").asInt(), line.toString());
            }
        }
        // The client confirmed the holder that served it, once per resource (served: received, though
        // not recorded, since every peer here shares one network), and the server saw nothing amiss.
        Poll.until(Duration.ofSeconds(5), "the client's confirmations (served)", () -> swarm.server().metrics().confirmations() == 2);
        assertClientCausedNoErrors();
    }

    @Test
    void aJavaLeecherGetsResourcesThatOnlyTheNodeClientHolds() throws Exception {
        byte[] note = DemoOrigin.sampleBytes(31, 900_000);
        byte[] map = DemoOrigin.sampleBytes(32, 700_000);
        ResourceId noteId = swarm.publish("note.bin", note);
        ResourceId mapId = swarm.publish("map.bin", map, HashAlgorithm.MERKLE_SHA256);
        try (NodeProcess node = NodeProcess.start(SCRIPT, "hold", "--server", swarm.serverUri().toString(),
                "--get", get(noteId, swarm.origin().url("note.bin")), "--get", get(mapId, swarm.origin().url("map.bin")))) {
            for (ResourceId id : List.of(noteId, mapId)) {
                JsonNode line = node.await(WAIT, "the origin fetch of " + id.shortForm(), l -> id.text().equals(l.path("id").asText()));
                assertEquals("origin", line.path("source").asText(), line + "\n" + node.stderr());
            }
            String nodeId = node.await(WAIT, "holding", l -> "holding".equals(l.path("event").asText())).path("peer").asText();
            for (ResourceId id : List.of(noteId, mapId)) {
                Poll.until(Duration.ofSeconds(10), "the Node peer announced as holder", () -> swarm.server().holds(nodeId, id));
            }
            swarm.origin().close(); // from now on only the Node peer has them

            LeecherPeer leecher = swarm.leecher();
            for (Map.Entry<ResourceId, byte[]> e : Map.of(noteId, note, mapId, map).entrySet()) {
                FetchResult result = leecher.fetch(e.getKey());
                assertEquals("peer:" + nodeId, result.source());
                assertArrayEquals(e.getValue(), leecher.store().readAll(e.getKey()).orElseThrow());
            }
            node.closeInput();
            JsonNode uploads = node.await(WAIT, "the upload count", l -> "uploads".equals(l.path("event").asText()));
            assertEquals(note.length + map.length, uploads.path("bytes").asLong(), node.stderr());
            assertEquals(0, node.waitFor(WAIT), node.stderr());
        }
        assertClientCausedNoErrors();
    }

    @Test
    void theNodeClientDistrustsAndReportsALyingSeederAndTakesTheOriginsBytes() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(41, 700_000);
        ResourceId id = swarm.publish("photo.jpg", body);
        SeederPeer liar = swarm.lyingSeeder("photo.jpg");
        try (NodeProcess node = NodeProcess.start(SCRIPT, "fetch", "--server", swarm.serverUri().toString(),
                "--get", get(id, swarm.origin().url("photo.jpg")))) {
            JsonNode line = node.await(WAIT, "the result", l -> "fetched".equals(l.path("event").asText())
                    || "failed".equals(l.path("event").asText()));
            assertEquals("fetched", line.path("event").asText(), line + "\n" + node.stderr());
            assertEquals("origin", line.path("source").asText());
            JsonNode distrust = node.await(WAIT, "the distrust event", l -> "distrust".equals(l.path("event").asText()));
            assertEquals(liar.id(), distrust.path("peer").asText());
            assertEquals(id.text(), distrust.path("id").asText());
            assertEquals(0, node.waitFor(WAIT), node.stderr());
        }
        Poll.until(Duration.ofSeconds(5), "the report of the liar", () -> swarm.server().reportersOf(liar.id()) == 1);
        assertClientCausedNoErrors();
    }

    @Test
    void theNodeClientDropsHoldersThatBreakTheProtocolOrForgePieceHashes() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(51, 600_000);
        ResourceId sha = swarm.publish("a.bin", body);
        ResourceId merkle = swarm.publish("b.bin", body, HashAlgorithm.MERKLE_SHA256);
        SeederPeer breaker = swarm.protocolBreaker("a.bin");
        SeederPeer forger = swarm.hashForger("b.bin");
        try (NodeProcess node = NodeProcess.start(SCRIPT, "fetch", "--server", swarm.serverUri().toString(),
                "--get", get(sha, swarm.origin().url("a.bin")), "--get", get(merkle, swarm.origin().url("b.bin")))) {
            for (ResourceId id : List.of(sha, merkle)) {
                JsonNode line = node.await(WAIT, "the result for " + id.shortForm(), l -> id.text().equals(l.path("id").asText())
                        && !"distrust".equals(l.path("event").asText()));
                assertEquals("origin", line.path("source").asText(), line + "\n" + node.stderr());
            }
            JsonNode broke = node.await(WAIT, "the breaker distrusted", l -> breaker.id().equals(l.path("peer").asText()));
            assertTrue(broke.path("reason").asText().contains("broke the transfer protocol"), broke.toString());
            assertEquals(sha.text(), broke.path("id").asText(), "the report names the resource: " + broke);
            JsonNode forged = node.await(WAIT, "the forger distrusted", l -> forger.id().equals(l.path("peer").asText()));
            assertTrue(forged.path("reason").asText().contains("do not lead to the resource's root"), forged.toString());
            assertEquals(0, node.waitFor(WAIT), node.stderr());
        }
        Poll.until(Duration.ofSeconds(5), "both reports", () -> swarm.server().reportersOf(breaker.id()) == 1
                && swarm.server().reportersOf(forger.id()) == 1);
        assertClientCausedNoErrors();
    }

    /** Errors the server answers a client that speaks the protocol wrongly: none may have been sent. */
    private void assertClientCausedNoErrors() {
        Map<String, Long> errors = swarm.server().errorCounts();
        for (String code : List.of("bad-json", "bad-message", "unknown-type", "bad-hash", "not-paired", "rate-limited",
                "too-many-hashes", "not-welcomed", "already-welcomed")) {
            assertEquals(0L, errors.getOrDefault(code, 0L), "server errors: " + errors);
        }
    }
}
