package io.swarmkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tables of a store and their version. A new database gets this version's tables; a database
 * whose tables are not exactly those of a known version is refused as damaged (or as not a
 * store at all), so that nothing is written into what only looks like a store.
 *
 * <p>The version is the {@code schema} row of {@code store_meta}; version 2 is the first that
 * has it.
 */
final class StoreSchema {
    /** The version this code reads and writes. */
    static final int VERSION = 2;

    private StoreSchema() {}

    /** The tables of {@link #VERSION}, as a new store gets them. */
    private static final List<String> CREATE = List.of(
            "CREATE TABLE IF NOT EXISTS store_meta (name VARCHAR(64) PRIMARY KEY, val VARCHAR(256) NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS resources (
              id_key       VARCHAR(200) PRIMARY KEY,
              size         BIGINT NOT NULL,
              media_type   VARCHAR(255),
              origin       VARCHAR(4096),
              added        BIGINT NOT NULL,
              last_access  BIGINT NOT NULL,
              hits         BIGINT DEFAULT 0 NOT NULL,
              bytes_served BIGINT DEFAULT 0 NOT NULL,
              pinned       BOOLEAN DEFAULT FALSE NOT NULL,
              verified_at  BIGINT NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS resources_by_use ON resources (pinned, last_access)",
            "CREATE INDEX IF NOT EXISTS resources_by_check ON resources (verified_at)");

    /** Table → columns of {@link #VERSION}, as H2 names them. */
    private static final Map<String, Set<String>> COLUMNS = Map.of(
            "STORE_META", Set.of("NAME", "VAL"),
            "RESOURCES", Set.of("ID_KEY", "SIZE", "MEDIA_TYPE", "ORIGIN", "ADDED", "LAST_ACCESS", "HITS",
                    "BYTES_SERVED", "PINNED", "VERIFIED_AT"));

    /** The database is not a store this code can use; the message says what it found. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }
    }

    /** The database was written by a later Swarmkeeper, whose tables this one does not know. */
    static final class Newer extends Exception {
        final int version;

        Newer(int version) {
            super("it was written by a newer Swarmkeeper (store schema " + version + "; this one knows up to "
                    + VERSION + ")");
            this.version = version;
        }
    }

    /**
     * What the database holds, read without changing anything (it may be opened read-only):
     * -1 when it is empty (or its first creation was cut short), else its version, after checking
     * that its tables are exactly those of that version.
     */
    static int inspect(Connection c) throws SQLException, Unusable, Newer {
        Map<String, Set<String>> found = tables(c);
        if (found.isEmpty() || interruptedCreation(c, found)) {
            return -1;
        }
        if (!found.containsKey("STORE_META")) {
            throw new Unusable("it holds tables " + found.keySet() + " and none of a Swarmkeeper store");
        }
        int version = version(c);
        if (version > VERSION) {
            throw new Newer(version);
        }
        if (version != VERSION) {
            throw new Unusable("its store schema version " + version + " is not one this Swarmkeeper knows");
        }
        check(found);
        return version;
    }

    /**
     * Makes sure the database holds this version's tables: creates them in an empty database,
     * and checks an existing one. Returns true when the database was empty.
     */
    static boolean prepare(Connection c) throws SQLException, Unusable, Newer {
        if (inspect(c) >= 0) {
            return false;
        }
        // H2 commits each CREATE on its own: the version row goes last, so that a creation cut
        // short is recognised (interruptedCreation) and finished at the next open.
        try (Statement s = c.createStatement()) {
            for (String sql : CREATE) {
                s.execute(sql);
            }
            s.execute("MERGE INTO store_meta (name, val) KEY (name) VALUES ('schema', '" + VERSION + "')");
        }
        return true;
    }

    /** Only tables of ours, no version row and no resource: the first open was cut short. */
    private static boolean interruptedCreation(Connection c, Map<String, Set<String>> found) throws SQLException {
        if (!COLUMNS.keySet().containsAll(found.keySet()) || !found.containsKey("STORE_META")) {
            return false;
        }
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM store_meta WHERE name = 'schema'")) {
            r.next();
            if (r.getLong(1) > 0) {
                return false;
            }
        }
        if (!found.containsKey("RESOURCES")) {
            return true;
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM resources")) {
            r.next();
            return r.getLong(1) == 0;
        }
    }

    /** The version in {@code store_meta}. */
    private static int version(Connection c) throws SQLException, Unusable {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT val FROM store_meta WHERE name = 'schema'")) {
            if (!r.next()) {
                throw new Unusable("it has no store schema version");
            }
            String text = r.getString(1);
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                throw new Unusable("its store schema version \"" + text + "\" is not a number");
            }
        }
    }

    /** Refuses tables that differ from this version's: damage can rename, drop or add a column. */
    private static void check(Map<String, Set<String>> found) throws Unusable {
        for (Map.Entry<String, Set<String>> table : COLUMNS.entrySet()) {
            Set<String> columns = found.get(table.getKey());
            if (columns == null) {
                throw new Unusable("its table " + table.getKey().toLowerCase(Locale.ROOT) + " is missing");
            }
            if (!columns.equals(table.getValue())) {
                Set<String> missing = new TreeSet<>(table.getValue());
                missing.removeAll(columns);
                Set<String> unknown = new TreeSet<>(columns);
                unknown.removeAll(table.getValue());
                throw new Unusable("its table " + table.getKey().toLowerCase(Locale.ROOT) + " is not as this version"
                        + " writes it (missing columns " + missing + ", unknown columns " + unknown + ")");
            }
        }
    }

    /** Every table of the PUBLIC schema with its columns. */
    private static Map<String, Set<String>> tables(Connection c) throws SQLException {
        Map<String, Set<String>> tables = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT t.table_name, c.column_name"
                + " FROM information_schema.tables t LEFT JOIN information_schema.columns c"
                + " ON c.table_schema = t.table_schema AND c.table_name = t.table_name"
                + " WHERE t.table_schema = 'PUBLIC'");
             ResultSet r = q.executeQuery()) {
            while (r.next()) {
                Set<String> columns = tables.computeIfAbsent(r.getString(1), k -> new TreeSet<>());
                if (r.getString(2) != null) {
                    columns.add(r.getString(2));
                }
            }
        }
        return tables;
    }
}
