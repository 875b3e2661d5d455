package io.swarmkeeper.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tables of a store, version by version, and the scripts that take a database from one
 * version to the next. A new database is made by the first version's script followed by every
 * later one, so that new and upgraded stores cannot differ. An existing database is upgraded in
 * place, one version at a time; one whose tables are not exactly those of a known version is
 * refused as damaged (or as no store at all), so nothing is written into what only looks like a
 * store.
 *
 * <p>The version is the {@code schema} row of {@code store_meta}; 2 is the first that has it
 * (stores written before it kept their bytes in H2 and are not upgraded). The scripts are Java
 * text, not files found on the class path, so they work the same from classes, the shaded jar
 * and a jlink image. A script, once released, never changes; a change is a new version.
 */
final class StoreSchema {
    /** The version this code reads and writes. */
    static final int VERSION = 3;
    /** The oldest version this code upgrades. */
    static final int OLDEST = 2;

    private StoreSchema() {}

    /**
     * The scripts, by the version they lead to. Each statement may run again after a crash in
     * the middle of its script (H2 commits every CREATE or ALTER on its own), so each is written
     * to be harmless the second time; the version row is written only once its script is done.
     */
    private static final Map<Integer, List<String>> SCRIPTS = Map.of(
            2, List.of(
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
                    "CREATE INDEX IF NOT EXISTS resources_by_check ON resources (verified_at)"),
            // 3: what the store dropped because its bytes were damaged or gone, for the operator
            // of a failing disk (ContentStore.drops, `store drops`); kept 90 days.
            3, List.of(
                    """
                    CREATE TABLE IF NOT EXISTS drops (
                      id_key     VARCHAR(200) NOT NULL,
                      size       BIGINT NOT NULL,
                      origin     VARCHAR(4096),
                      why        VARCHAR(16) NOT NULL,
                      detail     VARCHAR(1024),
                      dropped_at BIGINT NOT NULL
                    )""",
                    "CREATE INDEX IF NOT EXISTS drops_by_time ON drops (dropped_at)"));

    /** Table → columns of each version, as H2 names them. */
    private static final Map<Integer, Map<String, Set<String>>> COLUMNS = columns();

    private static Map<Integer, Map<String, Set<String>>> columns() {
        Map<String, Set<String>> v2 = Map.of(
                "STORE_META", Set.of("NAME", "VAL"),
                "RESOURCES", Set.of("ID_KEY", "SIZE", "MEDIA_TYPE", "ORIGIN", "ADDED", "LAST_ACCESS", "HITS",
                        "BYTES_SERVED", "PINNED", "VERIFIED_AT"));
        Map<String, Set<String>> v3 = new HashMap<>(v2);
        v3.put("DROPS", Set.of("ID_KEY", "SIZE", "ORIGIN", "WHY", "DETAIL", "DROPPED_AT"));
        return Map.of(2, v2, 3, Map.copyOf(v3));
    }

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
        if (!COLUMNS.containsKey(version)) {
            throw new Unusable("its store schema version " + version + " is not one this Swarmkeeper knows");
        }
        if (!found.equals(COLUMNS.get(version)) && !interruptedUpgrade(found, version)) {
            check(found, COLUMNS.get(version), version);
        }
        return version;
    }

    /**
     * Makes sure the database holds this version's tables: creates them in an empty database,
     * upgrades an older one in place, version by version, and checks the result. Returns the
     * version found (-1: the database was empty).
     */
    static int prepare(Connection c) throws SQLException, Unusable, Newer {
        int found = inspect(c);
        for (int v = Math.max(found + 1, OLDEST); v <= VERSION; v++) {
            try (Statement s = c.createStatement()) {
                for (String sql : SCRIPTS.get(v)) {
                    s.execute(sql);
                }
                s.execute("MERGE INTO store_meta (name, val) KEY (name) VALUES ('schema', '" + v + "')");
            }
        }
        check(tables(c), COLUMNS.get(VERSION), VERSION);
        return found;
    }

    /** Only tables of ours, no version row and no resource: the first open was cut short. */
    private static boolean interruptedCreation(Connection c, Map<String, Set<String>> found) throws SQLException {
        if (!COLUMNS.get(VERSION).keySet().containsAll(found.keySet()) || !found.containsKey("STORE_META")) {
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

    /**
     * The tables of {@code version} plus some that the next version's script creates, exactly as
     * it creates them: an upgrade cut short, which the next open finishes.
     */
    private static boolean interruptedUpgrade(Map<String, Set<String>> found, int version) {
        Map<String, Set<String>> next = COLUMNS.get(version + 1);
        if (next == null) {
            return false;
        }
        Set<String> added = new HashSet<>(found.keySet());
        added.removeAll(COLUMNS.get(version).keySet());
        for (Map.Entry<String, Set<String>> table : found.entrySet()) {
            Set<String> expected = added.contains(table.getKey()) ? next.get(table.getKey())
                    : COLUMNS.get(version).get(table.getKey());
            if (!table.getValue().equals(expected)) {
                return false;
            }
        }
        return found.keySet().containsAll(COLUMNS.get(version).keySet());
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

    /** Refuses tables that differ from {@code expected}: damage can rename, drop or add a column or a table. */
    private static void check(Map<String, Set<String>> found, Map<String, Set<String>> expected, int version)
            throws Unusable {
        for (Map.Entry<String, Set<String>> table : expected.entrySet()) {
            Set<String> columns = found.get(table.getKey());
            if (columns == null) {
                throw new Unusable("its table " + name(table.getKey()) + " is missing");
            }
            if (!columns.equals(table.getValue())) {
                Set<String> missing = new TreeSet<>(table.getValue());
                missing.removeAll(columns);
                Set<String> unknown = new TreeSet<>(columns);
                unknown.removeAll(table.getValue());
                throw new Unusable("its table " + name(table.getKey()) + " is not as store schema " + version
                        + " has it (missing columns " + missing + ", unknown columns " + unknown + ")");
            }
        }
        Set<String> extra = new TreeSet<>(found.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
            throw new Unusable("it holds tables " + extra + " that store schema " + version + " does not have");
        }
    }

    private static String name(String table) {
        return table.toLowerCase(Locale.ROOT);
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
