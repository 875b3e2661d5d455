package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.store.ContentStore;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The offline tools (hash --manifest, keygen, sign, store), run in-process as a user types them. */
class ToolCommandsTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aWebsiteOwnerHashesSignsAndASeederChecks() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site/listing"));
        Files.writeString(site.resolve("kitchen.jpg"), "kitchen");
        Path manifest = dir.resolve("manifest.json");
        Run hashed = run("hash", "--manifest", "--base-url", "https://example.com/", "--out", manifest.toString(),
                dir.resolve("site").toString());
        assertEquals(0, hashed.code(), hashed.err());
        JsonNode entry = MessageCodec.mapper().readTree(Files.readString(manifest)).get("resources").get(0);
        assertEquals("https://example.com/listing/kitchen.jpg", entry.get("url").asText());

        Run keygen = run("keygen", "--out", dir.resolve("origin").toString());
        assertEquals(0, keygen.code(), keygen.err());
        String publicKey = keygen.out().strip();
        assertTrue(publicKey.startsWith("ed25519:"), publicKey);
        assertEquals(publicKey, Files.readString(dir.resolve("origin.pub")).strip());
        Run again = run("keygen", "--out", dir.resolve("origin").toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists"), again.err());

        Run signed = run("sign", "--key", dir.resolve("origin.key").toString(), manifest.toString());
        assertEquals(0, signed.code(), signed.err());
        assertTrue(Files.exists(Path.of(manifest + ".sig")));

        // A seeder that trusts another key refuses it before doing anything else.
        String stranger = run("keygen", "--out", dir.resolve("stranger").toString()).out().strip();
        Run refused = run("seed", "--server", "ws://127.0.0.1:1", "--store", dir.resolve("store").toString(),
                "--manifest", manifest.toString(), "--trusted-key", stranger);
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("which is not a trusted origin key"), refused.err());
        Run badKey = run("seed", "--server", "ws://127.0.0.1:1", "--store", dir.resolve("store").toString(),
                "--trusted-key", "ed25519:short");
        assertEquals(2, badKey.code());
        assertTrue(badKey.err().contains("--trusted-key (from the command line): "), badKey.err());
    }

    @Test
    void hashRefusesWrongUse() {
        Run noBase = run("hash", "--manifest", dir.toString());
        assertEquals(2, noBase.code());
        assertTrue(noBase.err().contains("--manifest needs --base-url"), noBase.err());
        Run badAlgorithm = run("hash", "--algorithm", "md5", dir.toString());
        assertEquals(2, badAlgorithm.code());
        assertTrue(badAlgorithm.err().contains("expected sha224, sha256, sha384, sha512 or mt256"), badAlgorithm.err());
        Run folder = run("hash", dir.toString());
        assertEquals(1, folder.code());
        assertTrue(folder.err().contains("is a directory"), folder.err());
    }

    @Test
    void storeListsPinsScrubsAndMovesADamagedDatabaseAside() throws Exception {
        Path storeDir = dir.resolve("store");
        byte[] body = "a stored resource".getBytes(StandardCharsets.UTF_8);
        ResourceId id = ResourceId.of(body);
        try (ContentStore store = ContentStore.open(storeDir)) {
            store.put(id, new ByteArrayInputStream(body), "text/plain", "http://origin/a.txt");
        }
        Run list = run("store", "--store", storeDir.toString(), "list", "origin/a");
        assertEquals(0, list.code(), list.err());
        assertEquals(id.text(), MessageCodec.mapper().readTree(list.out()).get("id").asText());
        assertEquals(0, run("store", "--store", storeDir.toString(), "pin", id.text()).code());
        JsonNode stats = MessageCodec.mapper().readTree(run("store", "--store", storeDir.toString(), "stats").out());
        assertEquals(1, stats.get("pinned_resources").asLong());
        JsonNode scrub = MessageCodec.mapper().readTree(run("store", "--store", storeDir.toString(), "scrub").out());
        assertEquals(1, scrub.get("checked").asInt());
        Run noDrops = run("store", "--store", storeDir.toString(), "drops");
        assertEquals(0, noDrops.code(), noDrops.err());
        assertEquals("", noDrops.out().strip(), "nothing was dropped");
        Run unknown = run("store", "--store", storeDir.toString(), "pin", ResourceId.of(new byte[1]).text());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("is not in the store"), unknown.err());
        Run badAction = run("store", "--store", storeDir.toString(), "compact");
        assertEquals(2, badAction.code());
        assertTrue(badAction.err().contains("unknown action \"compact\""), badAction.err());

        Run healthy = run("store", "--store", storeDir.toString(), "move-aside");
        assertEquals(1, healthy.code());
        assertTrue(healthy.err().contains("opens fine; it was not moved"), healthy.err());

        Path db = storeDir.resolve("swarmkeeper.mv.db");
        byte[] damaged = Files.readAllBytes(db);
        for (int i = 0; i < damaged.length; i += 5) {
            damaged[i] ^= 0x33;
        }
        Files.write(db, damaged);
        Run broken = run("store", "--store", storeDir.toString(), "list");
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains("swarmkeeper store move-aside --store " + storeDir), broken.err());
        assertTrue(broken.err().contains("pins, origins and use counts are in the damaged file"), broken.err());
        Run aside = run("store", "--store", storeDir.toString(), "move-aside");
        assertEquals(0, aside.code(), aside.err());
        Run after = run("store", "--store", storeDir.toString(), "list");
        assertEquals(0, after.code(), after.err());
        JsonNode kept = MessageCodec.mapper().readTree(after.out());
        assertEquals(id.text(), kept.get("id").asText(), "the bytes were kept");
        assertEquals(false, kept.get("pinned").asBoolean(), "records are not: as the message said");
    }

    @Test
    void storeDropsListsWhatTheDiskDamagedOrLost() throws Exception {
        Path storeDir = dir.resolve("store");
        byte[] body = "bytes on a failing disk".getBytes(StandardCharsets.UTF_8);
        ResourceId id = ResourceId.of(body);
        try (ContentStore store = ContentStore.open(storeDir)) {
            store.put(id, new ByteArrayInputStream(body), "text/plain", "http://origin/c.txt");
        }
        try (var files = Files.walk(storeDir.resolve("blobs"))) {
            Files.delete(files.filter(Files::isRegularFile).findFirst().orElseThrow());
        }
        JsonNode scrub = MessageCodec.mapper().readTree(run("store", "--store", storeDir.toString(), "scrub").out());
        assertEquals(id.text(), scrub.get("dropped").get(0).asText());
        Run drops = run("store", "--store", storeDir.toString(), "drops");
        assertEquals(0, drops.code(), drops.err());
        JsonNode drop = MessageCodec.mapper().readTree(drops.out());
        assertEquals(id.text(), drop.get("id").asText());
        assertEquals("missing", drop.get("why").asText());
        assertEquals("http://origin/c.txt", drop.get("origin").asText(), "where to get it again");
    }

    @Test
    void storeCommandsOnAFolderThatHoldsNoStoreSaySoAndCreateNothing() throws Exception {
        Path mistyped = dir.resolve("stroe");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        for (String action : new String[] {"list", "stats", "scrub", "move-aside"}) {
            Run missing = run("store", "--store", mistyped.toString(), action);
            assertEquals(1, missing.code(), action + ": " + missing.err());
            assertTrue(missing.err().contains("no store at " + mistyped) || missing.err().contains("no database to move aside"),
                    action + ": " + missing.err());
            assertFalse(Files.exists(mistyped), action + " created " + mistyped);

            Run none = run("store", "--store", empty.toString(), action);
            assertEquals(1, none.code(), action + ": " + none.err());
            assertTrue(none.err().contains("no store in " + empty) || none.err().contains("no database to move aside"),
                    action + ": " + none.err());
            try (var inside = Files.list(empty)) {
                assertEquals(0, inside.count(), action + " created something in " + empty);
            }
        }
        Run pin = run("store", "--store", mistyped.toString(), "pin", ResourceId.of(new byte[1]).text());
        assertEquals(1, pin.code());
        assertTrue(pin.err().contains("only seed --store and fetch --store create a store"), pin.err());
        assertFalse(Files.exists(mistyped));
    }

    @Test
    void aDamagedSchemaGetsTheSameAdviceAndMoveAsideTakesIt() throws Exception {
        Path storeDir = dir.resolve("store");
        byte[] body = "kept through the damage".getBytes(StandardCharsets.UTF_8);
        ResourceId id = ResourceId.of(body);
        try (ContentStore store = ContentStore.open(storeDir)) {
            store.put(id, new ByteArrayInputStream(body), "text/plain", "http://origin/b.txt");
        }
        Path db = storeDir.resolve("swarmkeeper.mv.db");
        String text = new String(Files.readAllBytes(db), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("CREATE CACHED TABLE \"PUBLIC\".\"RESOURCES\"("));
        // Damage inside the CREATE TABLE text that H2 keeps in the file: it answers "Syntax error".
        Files.write(db, text.replace("CREATE CACHED TABLE \"PUBLIC\".\"RESOURCES\"(",
                "CREATE CACHED TABLE \"PUBLIC\".\"RESOURCES\"X").getBytes(StandardCharsets.ISO_8859_1));

        Run broken = run("store", "--store", storeDir.toString(), "stats");
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains("Syntax error in SQL statement"), broken.err());
        assertTrue(broken.err().contains("seems damaged"), broken.err());
        assertTrue(broken.err().contains("run: swarmkeeper store move-aside --store " + storeDir), broken.err());
        Run aside = run("store", "--store", storeDir.toString(), "move-aside");
        assertEquals(0, aside.code(), aside.err());
        Run after = run("store", "--store", storeDir.toString(), "list");
        assertEquals(0, after.code(), after.err());
        assertEquals(id.text(), MessageCodec.mapper().readTree(after.out()).get("id").asText());
    }
}
