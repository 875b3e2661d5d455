package io.swarmkeeper.store;

import static io.swarmkeeper.store.ContentStoreTest.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real damage to a real store's database file: whatever H2 says, the user is told that the file
 * seems damaged and which command keeps it aside, and that command accepts it.
 */
class DamagedDatabaseTest {
    @TempDir
    Path dir;

    /** Ways a database file gets damaged or replaced. */
    enum Damage {
        /** A type name inside a CREATE TABLE of the schema text: H2 says "Unknown data type". */
        SCHEMA_TYPE {
            @Override
            void apply(Path db) throws IOException {
                replaceText(db, "\"SIZE\" BIGINT NOT NULL", "\"SIZE\" BIGXNT NOT NULL");
            }
        },
        /** The syntax of a CREATE TABLE of the schema text: H2 says "Syntax error in SQL statement". */
        SCHEMA_SYNTAX {
            @Override
            void apply(Path db) throws IOException {
                replaceText(db, "\"PUBLIC\".\"RESOURCES\"(", "\"PUBLIC\".\"RESOURCES\"X");
            }
        },
        /** A column renamed in the schema text: H2 opens it, but it is not a store's table any more. */
        SCHEMA_COLUMN {
            @Override
            void apply(Path db) throws IOException {
                replaceText(db, "\"VERIFIED_AT\" BIGINT", "\"VERIFIED_XY\" BIGINT");
            }
        },
        /** Cut after its headers, as a full disk or a crash of the file system can leave it. */
        TRUNCATED {
            @Override
            void apply(Path db) throws IOException {
                Files.write(db, Arrays.copyOf(Files.readAllBytes(db), 4096));
            }
        },
        /** Every byte replaced by noise. */
        RANDOM_BYTES {
            @Override
            void apply(Path db) throws IOException {
                byte[] noise = new byte[(int) Files.size(db)];
                new Random(7).nextBytes(noise);
                Files.write(db, noise);
            }
        },
        /** Many bytes changed all over. */
        SCATTERED_BYTES {
            @Override
            void apply(Path db) throws IOException {
                byte[] bytes = Files.readAllBytes(db);
                for (int i = 0; i < bytes.length; i += 7) {
                    bytes[i] ^= 0x5a;
                }
                Files.write(db, bytes);
            }
        },
        /** Another file put in its place by mistake. */
        WRONG_FILE {
            @Override
            void apply(Path db) throws IOException {
                Files.writeString(db, "milk, eggs, flour\n");
            }
        },
        /** Another program's H2 database put in its place. */
        FOREIGN_DATABASE {
            @Override
            void apply(Path db) throws IOException {
                Files.delete(db);
                String base = db.toString().substring(0, db.toString().length() - ".mv.db".length());
                try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + base, "sa", "");
                     Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100))");
                } catch (java.sql.SQLException e) {
                    throw new IOException(e);
                }
            }
        };

        abstract void apply(Path db) throws IOException;

        /** Replaces every copy of {@code from} in the file (each chunk of H2's log has one) by text of the same length. */
        static void replaceText(Path db, String from, String to) throws IOException {
            String bytes = new String(Files.readAllBytes(db), StandardCharsets.ISO_8859_1);
            assertTrue(bytes.contains(from), "the schema text is in the file");
            Files.write(db, bytes.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void everyDamageLeadsToMoveAsideAndMoveAsideAcceptsIt(Damage damage) throws Exception {
        byte[] body = randomBytes(20_000);
        ResourceId id = ResourceId.of(body);
        try (ContentStore store = ContentStore.open(dir)) {
            store.put(id, new ByteArrayInputStream(body), "image/jpeg", "https://example.com/a.jpg");
        }
        Path db = dir.resolve(ContentStore.DATABASE_NAME + ".mv.db");
        damage.apply(db);
        byte[] damaged = Files.readAllBytes(db);

        StoreException e = assertThrows(StoreException.class, () -> ContentStore.open(dir));
        assertTrue(e.damaged(), e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot open store " + dir + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(db.toAbsolutePath() + " seems damaged; it was left untouched"), e.getMessage());
        assertTrue(e.getMessage().contains("run: swarmkeeper store move-aside --store " + dir), e.getMessage());
        assertTrue(e.getMessage().length() < 600, "one readable message: " + e.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(db), "the damaged file is left as it was");

        Path aside = ContentStore.moveAsideDamagedDatabase(dir);
        assertArrayEquals(damaged, Files.readAllBytes(aside), "kept, renamed");
        try (ContentStore store = ContentStore.open(dir)) {
            assertArrayEquals(body, store.readAll(id).orElseThrow(), "the stored bytes are adopted by a fresh database");
            assertEquals(1, store.list().size());
        }
    }
}
