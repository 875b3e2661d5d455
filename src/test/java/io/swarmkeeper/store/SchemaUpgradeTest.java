package io.swarmkeeper.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores written by earlier versions open in place: their records come through every upgrade.
 * The stores are real ones, made by the code of their version (src/test/resources/stores/).
 */
class SchemaUpgradeTest {
    @TempDir
    Path dir;

    /** A copy of the fixture store of {@code version} in a fresh directory. */
    private Path fixture(int version) throws IOException, URISyntaxException {
        Path source = Path.of(getClass().getResource("/stores/schema-" + version).toURI());
        Path target = dir.resolve("store");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                if (p.getFileName().toString().equals("README.md")) {
                    continue;
                }
                Path copy = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(p, copy);
                }
            }
        }
        return target;
    }

    @Test
    void aStoreOfSchemaTwoIsUpgradedInPlaceAndKeepsEveryRecord() throws Exception {
        Path store = fixture(2);
        Path db = store.resolve("swarmkeeper.mv.db");
        byte[] asItWas = Files.readAllBytes(db);
        assertEquals("2", schemaOf(store), "the fixture is of schema 2");

        Map<ResourceId, SchemaFixture.Entry> expected = SchemaFixture.entries().stream()
                .collect(Collectors.toMap(SchemaFixture.Entry::id, Function.identity()));
        try (ContentStore opened = ContentStore.open(store)) {
            List<StoredResource> listed = opened.list();
            assertEquals(expected.keySet(), listed.stream().map(StoredResource::id).collect(Collectors.toSet()));
            for (StoredResource r : listed) {
                SchemaFixture.Entry e = expected.get(r.id());
                assertEquals(e.body().length, r.size(), r.id().shortForm());
                assertEquals(e.mediaType(), r.mediaType());
                assertEquals(e.origin(), r.origin());
                assertEquals(e.pinned(), r.pinned());
                assertEquals(e.reads(), r.hits(), "use counts of " + r.id().shortForm());
                assertEquals((long) e.reads() * e.body().length, r.bytesServed());
                assertArrayEquals(e.body(), opened.readAll(r.id()).orElseThrow(), "bytes of " + r.id().shortForm());
            }
            assertEquals(1, opened.stats().pinnedResources());
            assertTrue(opened.drops(10).isEmpty());
        }
        assertEquals(String.valueOf(StoreSchema.VERSION), schemaOf(store), "upgraded in place");
        assertArrayEquals(asItWas, Files.readAllBytes(store.resolve("swarmkeeper.mv.db.schema-2")),
                "the database as it was is kept for an older Swarmkeeper");

        // The upgraded store works as a new one: the table schema 3 added records a drop.
        SchemaFixture.Entry kitchen = SchemaFixture.entries().get(0);
        Path blob = new BlobFiles(store).pathOf(kitchen.id());
        ContentStoreTest.flipOneBitKeepingTheFileTime(blob, 100);
        try (ContentStore opened = ContentStore.open(store)) {
            assertTrue(opened.readAll(kitchen.id()).isEmpty(), "damaged bytes are not read");
            List<ContentStore.Drop> drops = opened.drops(10);
            assertEquals(1, drops.size());
            assertEquals(kitchen.id(), drops.get(0).id());
            assertEquals(kitchen.origin(), drops.get(0).origin(), "the drop says where the bytes came from");
            assertEquals(StoreListener.Removal.CORRUPT, drops.get(0).why());
            assertEquals(2, opened.list().size());
        }
        try (Stream<Path> files = Files.list(store)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().contains(".schema-")).count(),
                    "copied once, before the upgrade only");
        }
    }

    @Test
    void newAndUpgradedStoresHaveTheSameTables() throws Exception {
        Path upgraded = fixture(2);
        ContentStore.open(upgraded).close();
        Path fresh = dir.resolve("fresh");
        ContentStore.open(fresh).close();
        assertEquals(describe(fresh), describe(upgraded));
    }

    @Test
    void anUpgradeCutShortIsFinishedAtTheNextOpen() throws Exception {
        Path store = fixture(2);
        // What a crash after the first statement of the script to schema 3 leaves behind.
        execute(store, "CREATE TABLE drops (id_key VARCHAR(200) NOT NULL, size BIGINT NOT NULL, origin VARCHAR(4096),"
                + " why VARCHAR(16) NOT NULL, detail VARCHAR(1024), dropped_at BIGINT NOT NULL)");
        try (ContentStore opened = ContentStore.open(store)) {
            assertEquals(3, opened.list().size());
        }
        assertEquals(String.valueOf(StoreSchema.VERSION), schemaOf(store));
    }

    @Test
    void aStoreOfANewerSchemaIsRefusedWithBothWaysOn() throws Exception {
        Path store = fixture(2);
        ContentStore.open(store).close();
        execute(store, "UPDATE store_meta SET val = '99' WHERE name = 'schema'");
        byte[] before = Files.readAllBytes(store.resolve("swarmkeeper.mv.db"));
        StoreException e = assertThrows(StoreException.class, () -> ContentStore.open(store));
        assertTrue(e.getMessage().contains("written by a newer Swarmkeeper (store schema 99; this one knows up to "
                + StoreSchema.VERSION + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("swarmkeeper store move-aside --store " + store), e.getMessage());
        assertTrue(e.damaged(), "move-aside takes it, if the user so chooses");
        assertArrayEquals(before, Files.readAllBytes(store.resolve("swarmkeeper.mv.db")), "and it was not touched");
        assertFalse(Files.exists(store.resolve("swarmkeeper.mv.db.schema-99")));
    }

    /** The schema version, read without writing (a read-write open of H2 rewrites parts of the file). */
    private static String schemaOf(Path store) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + store.toAbsolutePath().resolve("swarmkeeper")
                + ";ACCESS_MODE_DATA=r", "sa", ""); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT val FROM store_meta WHERE name = 'schema'")) {
            r.next();
            return r.getString(1);
        }
    }

    private static void execute(Path store, String sql) throws SQLException {
        try (Connection c = connect(store); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Tables, columns (type, nullability, default) and indexes, one line each. */
    private static List<String> describe(Path store) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = connect(store); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT table_name, column_name, data_type, character_maximum_length,"
                    + " is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'PUBLIC'"
                    + " ORDER BY table_name, column_name")) {
                while (r.next()) {
                    lines.add(r.getString(1) + "." + r.getString(2) + " " + r.getString(3) + "(" + r.getString(4) + ") "
                            + r.getString(5) + " " + r.getString(6));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT i.table_name, i.index_name, c.column_name, c.ordinal_position"
                    + " FROM information_schema.indexes i JOIN information_schema.index_columns c"
                    + " ON c.index_schema = i.index_schema AND c.index_name = i.index_name"
                    + " WHERE i.table_schema = 'PUBLIC' AND i.index_name NOT LIKE 'PRIMARY_KEY%'"
                    + " ORDER BY i.table_name, i.index_name, c.ordinal_position")) {
                while (r.next()) {
                    lines.add("index " + r.getString(1) + "." + r.getString(2) + " " + r.getString(3));
                }
            }
        }
        return lines;
    }

    private static Connection connect(Path store) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + store.toAbsolutePath().resolve("swarmkeeper"), "sa", "");
    }
}
