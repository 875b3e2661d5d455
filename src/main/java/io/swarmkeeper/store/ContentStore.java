package io.swarmkeeper.store;

import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.transfer.ContentSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verified resources in an embedded H2 database under one directory. The store hashes every
 * byte it is given while writing it, inside the transaction that records it, and commits only
 * when the hash matches the id: whatever a caller hands in, nothing unverified is ever kept.
 */
public final class ContentStore implements ContentSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContentStore.class);
    static final String DATABASE_NAME = "swarmkeeper";

    private final Path directory;
    private final JdbcConnectionPool pool;
    private boolean closed;

    private ContentStore(Path directory, JdbcConnectionPool pool) {
        this.directory = directory;
        this.pool = pool;
    }

    /**
     * Opens (or creates) the store in {@code directory}. Fails clearly when the directory is not
     * usable, or when another process holds the store.
     */
    public static ContentStore open(Path directory) throws StoreException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + directory + ": " + e, e);
        }
        if (!Files.isWritable(directory)) {
            throw new StoreException("store directory " + directory + " is not writable");
        }
        Path base = directory.toAbsolutePath().resolve(DATABASE_NAME);
        // FILE_LOCK=FS (H2's default) refuses a second process; we turn its message into ours.
        String url = "jdbc:h2:file:" + base + ";FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        // Each running upload holds one connection for its whole transfer (upload slots ≤ 32).
        pool.setMaxConnections(40);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS resource (
                      id          VARCHAR(128) PRIMARY KEY,
                      size        BIGINT NOT NULL,
                      media_type  VARCHAR(255),
                      origin      VARCHAR(4096),
                      added       TIMESTAMP WITH TIME ZONE NOT NULL,
                      data        BLOB NOT NULL
                    )""");
        } catch (SQLException e) {
            pool.dispose();
            if (e.getMessage() != null && e.getMessage().contains("Database may be already in use")) {
                throw new StoreException("store " + directory + " is in use by another process", e);
            }
            // Never repair or delete behind the user's back: say what to do instead.
            throw new StoreException("cannot open store " + directory + ": " + firstLine(e.getMessage())
                    + ". If the database is damaged, move " + base + ".mv.db aside to start with an empty store;"
                    + " it was left untouched.", e);
        }
        log.info("store open at {}", directory);
        return new ContentStore(directory, pool);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    public Path directory() {
        return directory;
    }

    /**
     * Stores the bytes of {@code id} read from {@code bytes}, if and only if they hash to
     * {@code id}. Returns false when the resource was already stored (the stream is not read).
     *
     * @throws HashMismatchException when the bytes are not those of {@code id}; nothing is kept
     */
    public boolean put(ResourceId id, InputStream bytes, String mediaType, String origin) throws IOException {
        if (contains(id)) {
            return false;
        }
        MessageDigest digest = id.newDigest();
        CountingDigestStream hashing = new CountingDigestStream(bytes, digest);
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO resource (id, size, media_type, origin, added, data) VALUES (?, 0, ?, ?, ?, ?)")) {
                insert.setString(1, id.hex());
                insert.setString(2, mediaType);
                insert.setString(3, origin);
                insert.setTimestamp(4, Timestamp.from(Instant.now()));
                insert.setBinaryStream(5, hashing);
                insert.executeUpdate();
                byte[] actual = digest.digest();
                if (!id.matches(actual)) {
                    c.rollback();
                    throw new HashMismatchException(id, HexFormat.of().formatHex(actual), "while storing");
                }
                try (PreparedStatement size = c.prepareStatement("UPDATE resource SET size = ? WHERE id = ?")) {
                    size.setLong(1, hashing.count);
                    size.setString(2, id.hex());
                    size.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                if (e instanceof SQLException sql && isDuplicate(sql)) {
                    return false;
                }
                throw e instanceof IOException io ? io : new IOException("store failed: " + e.getMessage(), e);
            }
        } catch (SQLException e) {
            throw new IOException("store failed: " + e.getMessage(), e);
        }
    }

    private static boolean isDuplicate(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    public boolean contains(ResourceId id) throws IOException {
        try (Connection c = pool.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT 1 FROM resource WHERE id = ?")) {
            q.setString(1, id.hex());
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new IOException("store query failed: " + e.getMessage(), e);
        }
    }

    /** Every stored resource, oldest first. */
    public List<StoredResource> list() throws IOException {
        List<StoredResource> result = new ArrayList<>();
        try (Connection c = pool.getConnection();
             PreparedStatement q = c.prepareStatement(
                     "SELECT id, size, media_type, origin, added FROM resource ORDER BY added, id");
             ResultSet r = q.executeQuery()) {
            while (r.next()) {
                result.add(new StoredResource(ResourceId.parse(r.getString(1)), r.getLong(2), r.getString(3),
                        r.getString(4), r.getTimestamp(5).toInstant()));
            }
        } catch (SQLException e) {
            throw new IOException("store query failed: " + e.getMessage(), e);
        }
        return result;
    }

    /** Reads the whole resource into memory; for small resources and tests. */
    public Optional<byte[]> readAll(ResourceId id) throws IOException {
        Optional<Content> content = open(id);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        try (Content opened = content.get(); InputStream in = opened.stream()) {
            return Optional.of(in.readAllBytes());
        }
    }

    @Override
    public Optional<Content> open(ResourceId id) throws IOException {
        Connection c = null;
        try {
            c = pool.getConnection();
            PreparedStatement q = c.prepareStatement("SELECT size, data FROM resource WHERE id = ?");
            q.setString(1, id.hex());
            ResultSet r = q.executeQuery();
            if (!r.next()) {
                c.close();
                return Optional.empty();
            }
            return Optional.of(new BlobContent(c, r.getLong(1), r.getBlob(2)));
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // reporting the first failure
                }
            }
            throw new IOException("store read failed: " + e.getMessage(), e);
        }
    }

    /** Closes the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            log.debug("shutdown: {}", e.toString());
        }
        pool.dispose();
    }

    /** A stored resource held open by its own connection until closed. */
    private static final class BlobContent implements Content {
        private final Connection connection;
        private final long size;
        private final java.sql.Blob blob;

        BlobContent(Connection connection, long size, java.sql.Blob blob) {
            this.connection = connection;
            this.size = size;
            this.blob = blob;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream stream() throws IOException {
            try {
                return blob.getBinaryStream();
            } catch (SQLException e) {
                throw new IOException("store read failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                blob.free();
                connection.close();
            } catch (SQLException e) {
                throw new IOException("closing stored resource: " + e.getMessage(), e);
            }
        }
    }

    /** Hashes and counts what H2 reads from the caller's stream. */
    private static final class CountingDigestStream extends DigestInputStream {
        long count;

        CountingDigestStream(InputStream in, MessageDigest digest) {
            super(in, digest);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
