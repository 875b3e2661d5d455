package io.swarmkeeper.store;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.transfer.ContentSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verified resources under one directory: their records in an embedded H2 database, their bytes
 * in files named by id (see {@link BlobFiles}). The store hashes every byte it is given while
 * staging it and makes it visible only after it matched its id, whatever the caller does: a
 * reader never sees a half-written or unverified resource.
 *
 * <p>Keeps within a byte quota by evicting the least recently used resources that are not
 * pinned. A background scrub re-hashes what is stored and drops whatever no longer matches.
 * After a crash the next open reconciles files and records; a database that cannot be opened is
 * reported with what to do ({@link #moveAsideDamagedDatabase}), never deleted.
 *
 * <p>Why bytes live in files rather than H2 BLOBs: measured on the reference machine, reading a
 * 1 MiB BLOB ran at 8 % of the speed of reading a file (docs/benchmarks.md, StoreBench).
 */
public final class ContentStore implements ContentSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContentStore.class);
    static final String DATABASE_NAME = "swarmkeeper";
    /** Exists while a process has the store open; found at open, it means the last run crashed. */
    static final String RUNNING_MARKER = "running";

    private static final String COLUMNS =
            "id_key, size, media_type, origin, added, last_access, hits, bytes_served, pinned";

    private static final Set<Path> OPEN_IN_THIS_PROCESS = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final Path realDirectory;
    /** Replaced when the disk has room again after H2 closed the database on a failed write. */
    private volatile JdbcConnectionPool pool;
    private final String url;
    private final BlobFiles blobs;
    /** Held while deciding what fits in the quota and while removing, so the count stays true. */
    private final Object admission = new Object();
    private final AtomicLong usedBytes = new AtomicLong();
    /**
     * Key → size of every stored resource, so that reads and {@link #contains} need no query
     * (about 170 bytes per resource). Changed only with the records, under {@link #admission}.
     */
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * Files whose bytes hashed true since this store was opened, with the file's state at that
     * moment. Bytes can rot while the store is closed without any change of size or time (a bit
     * that flips on the medium), so nothing is handed out before its file is in here; a file
     * changed since (replaced, written) is hashed again. About 200 bytes per resource served.
     */
    private final Map<String, BlobFiles.FileState> verified = new ConcurrentHashMap<>();
    /** One hashing per resource at a time: readers that arrive meanwhile wait for its verdict. */
    private final Map<String, Object> verifying = new ConcurrentHashMap<>();
    private volatile long quotaBytes;
    private final AccessLog accesses = new AccessLog();
    private volatile Scrubber scrubber;
    private Thread scrubThread;
    private boolean closed;
    /** Bytes always left free on the store's disk, so that H2 can still write its records. */
    private final long reserveBytes;
    /** What made the store stop taking new resources, while its disk is full; null while there is room. */
    private volatile String diskFull;
    private Thread spaceWatch;

    private ContentStore(Path directory, Path realDirectory, JdbcConnectionPool pool, String url, BlobFiles blobs,
                         long quotaBytes) throws IOException {
        this.directory = directory;
        this.realDirectory = realDirectory;
        this.pool = pool;
        this.url = url;
        this.blobs = blobs;
        this.quotaBytes = quotaBytes;
        this.reserveBytes = DiskSpace.reserve(directory);
    }

    /** Opens (or creates) a store without a quota. */
    public static ContentStore open(Path directory) throws StoreException {
        return open(directory, 0);
    }

    /**
     * Opens the store in {@code directory} only if there is one (its database, or its stored
     * files after the database was moved aside); creates nothing. For tools that look after a
     * store: a mistyped directory must not become an empty store.
     */
    public static ContentStore openExisting(Path directory) throws StoreException {
        if (!holdsStore(directory)) {
            throw new StoreException((Files.isDirectory(directory) ? "no store in " + directory
                    : "no store at " + directory + ": there is no such directory")
                    + " (no " + DATABASE_NAME + ".mv.db, no blobs/); nothing was created. Check the path:"
                    + " only seed --store and fetch --store create a store");
        }
        return open(directory, 0);
    }

    /** True when {@code directory} holds a store: its database, or stored files whose database was moved aside. */
    public static boolean holdsStore(Path directory) {
        return Files.isRegularFile(directory.resolve(DATABASE_NAME + ".mv.db"))
                || Files.isDirectory(directory.resolve("blobs"));
    }

    /**
     * Opens (or creates) the store in {@code directory}, keeping it within {@code quotaBytes}
     * (0: unlimited). Fails clearly when the directory is not usable, when another process holds
     * the store, or when its database is damaged.
     */
    public static ContentStore open(Path directory, long quotaBytes) throws StoreException {
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("quota must be 0 (unlimited) or positive, got " + quotaBytes);
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + directory + ": " + e, e);
        }
        if (!Files.isWritable(directory)) {
            throw new StoreException("store directory " + directory + " is not writable");
        }
        Path real;
        try {
            real = directory.toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot open store directory " + directory + ": " + e, e);
        }
        // H2 lets one process open its database twice; two stores on one directory would undo each other.
        if (!OPEN_IN_THIS_PROCESS.add(real)) {
            throw new StoreException("store " + directory + " is already open in this process");
        }
        try {
            ContentStore store = open(directory, real, quotaBytes);
            store.deliverNotices();
            return store;
        } catch (StoreException | RuntimeException e) {
            OPEN_IN_THIS_PROCESS.remove(real);
            throw e;
        }
    }

    private static ContentStore open(Path directory, Path real, long quotaBytes) throws StoreException {
        Path base = directory.toAbsolutePath().resolve(DATABASE_NAME);
        int version = inspectReadOnly(directory, base);
        if (version >= 0 && version < StoreSchema.VERSION) {
            keepBeforeUpgrade(directory, base, version);
        }
        // FILE_LOCK=FS (H2's default) refuses a second process; we turn its message into ours.
        String url = "jdbc:h2:file:" + base + ";FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(16);
        ContentStore store;
        try {
            boolean fresh;
            try (Connection c = pool.getConnection()) {
                fresh = StoreSchema.prepare(c) < 0;
            }
            store = new ContentStore(directory, real, pool, url, new BlobFiles(directory), quotaBytes);
            Path marker = directory.resolve(RUNNING_MARKER);
            boolean crashed = Files.exists(marker);
            Files.writeString(marker, ProcessHandle.current().pid() + "\n");
            int leftovers = store.blobs.clearStaging();
            if (crashed || leftovers > 0 || (fresh && !store.blobs.isEmpty())) {
                log.warn("store {} was not closed cleanly{}; checking its files against its records", directory,
                        leftovers > 0 ? " (" + leftovers + " interrupted writes removed)" : "");
                Reconciliation r = store.reconcile();
                log.warn("store {}: {}", directory, r);
            }
            store.loadSizes();
            store.update("DELETE FROM drops WHERE dropped_at < ?", System.currentTimeMillis() - DROPS_KEPT_MILLIS);
        } catch (SQLException e) {
            pool.dispose();
            throw openFailure(directory, base, e);
        } catch (StoreSchema.Newer e) {
            pool.dispose();
            throw newer(directory, e);
        } catch (StoreSchema.Unusable e) {
            pool.dispose();
            throw damaged(directory, Path.of(base + ".mv.db"), e.getMessage(), e);
        } catch (IOException e) {
            pool.dispose();
            if (e.getCause() instanceof SQLException sql) { // a query of the open itself: the database
                throw openFailure(directory, base, sql);
            }
            throw new StoreException("cannot open store " + directory + ": " + e.getMessage(), e);
        }
        store.capQuotaToTheDisk();
        try {
            store.makeRoom(0);
        } catch (IOException e) {
            log.warn("store {} is over its quota of {} bytes: {}", directory, quotaBytes, e.getMessage());
        }
        log.info("store open at {}: {} bytes in use{}", directory, store.usedBytes.get(),
                store.quotaBytes > 0 ? " of " + store.quotaBytes : "");
        return store;
    }

    /**
     * A quota larger than the disk can give (what is stored, plus what is free, less the reserve)
     * is cut to that, with a warning: otherwise the disk, not the quota, would stop the store,
     * and H2 with it. Never cut below what is stored: that would evict for another program's files.
     */
    private void capQuotaToTheDisk() {
        long quota = quotaBytes;
        if (quota == 0) {
            return; // no quota: the disk is the limit, and a full disk is handled as such
        }
        long room;
        try {
            room = usedBytes.get() + DiskSpace.usable(directory) - reserveBytes;
        } catch (IOException e) {
            log.warn("store {}: cannot tell the free space of its disk: {}", directory, e.getMessage());
            return;
        }
        if (quota > room) {
            long capped = Math.max(room, usedBytes.get());
            quotaBytes = capped;
            log.warn("store {}: a quota of {} bytes is more than its disk can hold ({} bytes stored, {} free, {} kept"
                    + " free); keeping it within {} bytes", directory, quota, usedBytes.get(), room - usedBytes.get()
                    + reserveBytes, reserveBytes, capped);
        }
    }

    /**
     * Opens an existing database read-only and checks what it holds before anything may write to
     * it: H2 rewrites parts of a file it opens for writing, even one whose schema it then fails to
     * read, and a damaged file must reach the user as it was.
     */
    private static int inspectReadOnly(Path directory, Path base) throws StoreException {
        Path file = Path.of(base + ".mv.db");
        try {
            if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                return -1; // none yet (H2 takes an empty file for a new database too)
            }
        } catch (IOException e) {
            throw new StoreException("cannot open store " + directory + ": " + e.getMessage(), e);
        }
        org.h2.jdbcx.JdbcDataSource source = new org.h2.jdbcx.JdbcDataSource();
        source.setURL("jdbc:h2:file:" + base + ";FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE;ACCESS_MODE_DATA=r");
        source.setUser("sa");
        source.setPassword("");
        try (Connection c = source.getConnection()) {
            return StoreSchema.inspect(c);
        } catch (SQLException e) {
            throw openFailure(directory, base, e);
        } catch (StoreSchema.Newer e) {
            throw newer(directory, e);
        } catch (StoreSchema.Unusable e) {
            throw damaged(directory, file, e.getMessage(), e);
        }
    }

    /**
     * Copies the database of an older schema before it is upgraded in place, once per version:
     * an older Swarmkeeper refuses the upgraded one, and this copy is what it can open again.
     */
    private static void keepBeforeUpgrade(Path directory, Path base, int version) throws StoreException {
        Path file = Path.of(base + ".mv.db");
        Path kept = Path.of(base + ".mv.db.schema-" + version);
        try {
            if (!Files.exists(kept)) {
                Files.copy(file, kept, StandardCopyOption.COPY_ATTRIBUTES);
            }
        } catch (IOException e) {
            throw new StoreException("cannot open store " + directory + ": its database (store schema " + version
                    + ") is to be upgraded to " + StoreSchema.VERSION + ", but it could not be copied first to "
                    + kept + ": " + e.getMessage(), e);
        }
        log.warn("store {}: upgrading its database from store schema {} to {}; the database as it was is kept as {}"
                + " (for an older Swarmkeeper)", directory, version, StoreSchema.VERSION, kept);
    }

    private void loadSizes() throws IOException {
        synchronized (admission) {
            sizes.clear();
            long total = 0;
            try (Connection c = connection(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id_key, size FROM resources")) {
                while (r.next()) {
                    sizes.put(r.getString(1), r.getLong(2));
                    total += r.getLong(2);
                }
            } catch (SQLException e) {
                throw failure("store query failed", e);
            }
            usedBytes.set(total);
        }
    }

    /**
     * Renames a database that cannot be opened to {@code swarmkeeper.mv.db.damaged-<time>} so that
     * the next open starts with an empty database. Stored bytes stay where they are and are
     * checked and adopted by that open. Returns where the damaged file went. Refuses a database
     * that opens, or that cannot be opened for another reason (in use, unreadable, disk full).
     */
    public static Path moveAsideDamagedDatabase(Path directory) throws IOException {
        Path db = directory.resolve(DATABASE_NAME + ".mv.db");
        if (!Files.exists(db)) {
            throw new StoreException("no database to move aside in " + directory);
        }
        try {
            open(directory).close();
            throw new StoreException("the database of store " + directory + " opens fine; it was not moved");
        } catch (StoreException e) {
            if (!e.damaged()) {
                throw e; // in use, already open, unreadable, or healthy: not ours to move
            }
        }
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path aside = directory.resolve(DATABASE_NAME + ".mv.db.damaged-" + stamp);
        for (int n = 2; Files.exists(aside); n++) {
            aside = directory.resolve(DATABASE_NAME + ".mv.db.damaged-" + stamp + "-" + n);
        }
        Files.move(db, aside); // no REPLACE_EXISTING: never over an earlier one
        Files.deleteIfExists(directory.resolve(DATABASE_NAME + ".trace.db"));
        return aside;
    }

    /** H2 error codes (org.h2.api.ErrorCode) that decide what to tell the user. */
    private static final int DATABASE_ALREADY_OPEN = 90020;

    private static final String WHAT_MOVING_ASIDE_KEEPS =
            "the stored bytes are checked and kept; pins, origins and use counts are in the damaged file";

    private static String moveAsideCommand(Path directory) {
        return "swarmkeeper store move-aside --store " + directory;
    }

    /**
     * Says why the database did not open, and what to do. A database another process holds, one
     * that cannot be read (permissions) and a full disk are not damage; every other failure of
     * H2 to open or read it is (a damaged page, schema text, a truncated or foreign file), and gets
     * the advice to move it aside, which loses its records. Nothing is ever repaired or deleted
     * behind the user's back.
     */
    private static StoreException openFailure(Path directory, Path base, SQLException e) {
        Path file = Path.of(base + ".mv.db");
        if (e.getErrorCode() == DATABASE_ALREADY_OPEN) {
            return new StoreException("store " + directory + " is in use by another process", e);
        }
        if (Files.exists(file) && !Files.isReadable(file)) {
            return new StoreException("cannot open store " + directory + ": its database " + file
                    + " cannot be read (permissions?)", e);
        }
        if (DiskSpace.isNoSpace(e)) {
            return new StoreException("cannot open store " + directory + ": the disk is full ("
                    + firstLine(e.getMessage()) + "); free some space and start again", e);
        }
        return damaged(directory, file, briefly(e.getMessage()), e);
    }

    /** The first line of an H2 message, cut short: damaged schema text can make it kilobytes long. */
    private static String briefly(String message) {
        String line = firstLine(message);
        return line.length() <= 160 ? line : line.substring(0, 160) + "…";
    }

    private static StoreException newer(Path directory, StoreSchema.Newer e) {
        return new StoreException("cannot open store " + directory + ": " + e.getMessage() + ". Run that"
                + " Swarmkeeper on it, or, to start afresh with this one, run: " + moveAsideCommand(directory)
                + " (" + WHAT_MOVING_ASIDE_KEEPS + ")", e, true);
    }

    private static StoreException damaged(Path directory, Path file, String what, Throwable cause) {
        return new StoreException("cannot open store " + directory + ": " + what
                + ". The database file " + file + " seems damaged; it was left untouched."
                + " To keep it aside and start afresh, run: " + moveAsideCommand(directory)
                + " (" + WHAT_MOVING_ASIDE_KEEPS + ")", cause, true);
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
     * A directory on the store's file system for bytes on their way in (origin downloads, peer
     * transfers); what is left there is removed at the next open.
     */
    public Path stagingDirectory() {
        return blobs.stagingDirectory();
    }

    public void addListener(StoreListener listener) {
        listeners.add(listener);
    }

    public void removeListener(StoreListener listener) {
        listeners.remove(listener);
    }

    // ---- writing ----

    /**
     * Stores the bytes of {@code id} read from {@code bytes}, if and only if they hash to
     * {@code id}. Returns false when the resource was already stored (the stream is then not read).
     *
     * @throws io.swarmkeeper.content.HashMismatchException when the bytes are not those of
     *         {@code id}; nothing is kept
     * @throws StoreFullException when the resource does not fit in the quota
     */
    public boolean put(ResourceId id, InputStream bytes, String mediaType, String origin) throws IOException {
        ensureOpen();
        if (contains(id)) {
            return false;
        }
        refuseWhileTheDiskIsFull();
        BlobFiles.Staged staged;
        try {
            staged = blobs.stage(id, bytes);
        } catch (IOException e) {
            if (DiskSpace.isNoSpace(e) || lowOnSpace()) {
                diskIsFull("writing " + id.shortForm() + " failed: " + e.getMessage());
                throw new StoreFullException("the disk of store " + directory + " is full; " + id.shortForm()
                        + " was not stored (" + e.getMessage() + ")");
            }
            throw e;
        }
        StoredResource added;
        try {
            synchronized (admission) {
                ensureOpen();
                if (contains(id)) {
                    return false; // a concurrent put of the same bytes won
                }
                makeRoom(staged.size());
                blobs.install(staged, id);
                long now = System.currentTimeMillis();
                try (Connection c = connection(); PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO resources (" + COLUMNS + ", verified_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, FALSE, ?)")) {
                    insert.setString(1, id.key());
                    insert.setLong(2, staged.size());
                    insert.setString(3, truncate(mediaType, 255));
                    insert.setString(4, truncate(origin, 4096));
                    insert.setLong(5, now);
                    insert.setLong(6, now);
                    insert.setLong(7, now);
                    insert.executeUpdate();
                } catch (SQLException e) {
                    blobs.delete(id);
                    throw failure("store failed", e);
                }
                usedBytes.addAndGet(staged.size());
                sizes.put(id.key(), staged.size());
                markVerified(id, blobs.state(id)); // hashed while staging, a moment ago
                added = new StoredResource(id, staged.size(), mediaType, origin, Instant.ofEpochMilli(now),
                        Instant.ofEpochMilli(now), 0, 0, false);
            }
        } finally {
            blobs.discard(staged); // nothing left to discard once installed
            deliverNotices();
        }
        notify(l -> l.added(added));
        return true;
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** Pins or unpins a resource; pinned resources are never evicted. False when not stored. */
    public boolean pin(ResourceId id, boolean pinned) throws IOException {
        return update("UPDATE resources SET pinned = ? WHERE id_key = ?", pinned, id.key()) == 1;
    }

    /** Removes a resource. False when it was not stored. */
    public boolean remove(ResourceId id) throws IOException {
        try {
            return removeResource(id, StoreListener.Removal.REMOVED, null, null);
        } finally {
            deliverNotices();
        }
    }

    /** Changes the quota (0: unlimited), evicting at once what no longer fits. */
    public void setQuota(long bytes) throws IOException {
        if (bytes < 0) {
            throw new IllegalArgumentException("quota must be 0 (unlimited) or positive, got " + bytes);
        }
        quotaBytes = bytes;
        try {
            makeRoom(0);
        } finally {
            deliverNotices();
        }
    }

    public long quota() {
        return quotaBytes;
    }

    /** Bytes of all stored resources. */
    public long usedBytes() {
        return usedBytes.get();
    }

    /** Evicts least recently used, unpinned resources until {@code incoming} more bytes fit. */
    private void makeRoom(long incoming) throws IOException {
        synchronized (admission) {
            long quota = quotaBytes;
            if (quota == 0 || usedBytes.get() + incoming <= quota) {
                return;
            }
            if (incoming > quota) {
                throw new StoreFullException("a resource of " + incoming + " bytes is larger than the store quota of "
                        + quota + " bytes");
            }
            flushAccesses();
            while (usedBytes.get() + incoming > quota) {
                List<ResourceId> oldest = new ArrayList<>();
                try (Connection c = connection(); PreparedStatement q = c.prepareStatement(
                        "SELECT id_key FROM resources WHERE pinned = FALSE ORDER BY last_access, id_key LIMIT 32");
                     ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        oldest.add(ResourceId.fromKey(r.getString(1)));
                    }
                } catch (SQLException e) {
                    throw failure("store query failed", e);
                }
                if (oldest.isEmpty()) {
                    throw new StoreFullException("store quota of " + quota + " bytes is full of pinned resources ("
                            + usedBytes.get() + " bytes); " + incoming + " more do not fit");
                }
                for (ResourceId victim : oldest) {
                    if (usedBytes.get() + incoming <= quota) {
                        break;
                    }
                    removeResource(victim, StoreListener.Removal.EVICTED, null, null);
                }
            }
        }
    }

    /** A removal to tell the log and the listeners about once no lock is held. */
    private record Notice(StoredResource resource, StoreListener.Removal why, String detail) {}

    private final java.util.concurrent.ConcurrentLinkedQueue<Notice> notices = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Deletes the bytes, then the record (so a crash in between leaves a record without bytes,
     * which the next open drops, rather than bytes without a record, which it would adopt back).
     * A removal for {@code MISSING} or {@code CORRUPT} is made only if, under the lock, the file is
     * still absent, or still the very file found bad ({@code badFile}, its file key): a copy stored
     * again meanwhile is not touched. False when nothing was removed.
     */
    private boolean removeResource(ResourceId id, StoreListener.Removal why, Object badFile, String detail)
            throws IOException {
        synchronized (admission) {
            Optional<StoredResource> existing = record(id);
            if (existing.isEmpty()) {
                return false;
            }
            if (why == StoreListener.Removal.MISSING && blobs.fileKey(id) != null) {
                return false;
            }
            if (why == StoreListener.Removal.CORRUPT && !Objects.equals(blobs.fileKey(id), badFile)) {
                return false;
            }
            if (!blobs.delete(id)) {
                log.warn("store: cannot delete the bytes of {}; the next open after a crash may adopt them back", id.text());
            }
            if (update("DELETE FROM resources WHERE id_key = ?", id.key()) != 1) {
                return false;
            }
            StoredResource removed = existing.get();
            usedBytes.addAndGet(-removed.size());
            sizes.remove(id.key());
            verified.remove(id.key());
            notices.add(new Notice(removed, why, detail));
            if (why == StoreListener.Removal.CORRUPT || why == StoreListener.Removal.MISSING) {
                recordDrop(removed, why, detail);
            }
            return true;
        }
    }

    /** What the store dropped because its bytes were damaged or gone ({@link #drops}). */
    public record Drop(ResourceId id, long size, String origin, StoreListener.Removal why, String detail, Instant at) {}

    /** Drops are remembered this long. */
    static final long DROPS_KEPT_MILLIS = 90L * 24 * 3600 * 1000;

    /** Remembers a drop; a failure to (a full disk) loses only the memory of it. */
    private void recordDrop(StoredResource removed, StoreListener.Removal why, String detail) {
        try {
            update("INSERT INTO drops (id_key, size, origin, why, detail, dropped_at) VALUES (?, ?, ?, ?, ?, ?)",
                    removed.id().key(), removed.size(), removed.origin(), why.name(), truncate(detail, 1024),
                    System.currentTimeMillis());
        } catch (IOException e) {
            log.warn("store: the drop of {} was not recorded: {}", removed.id().shortForm(), e.getMessage());
        }
    }

    /**
     * What the store dropped in the last 90 days because its bytes were damaged or gone from
     * disk, newest first, at most {@code limit}: a disk that starts failing shows here.
     */
    public List<Drop> drops(int limit) throws IOException {
        List<Drop> drops = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement q = c.prepareStatement(
                "SELECT id_key, size, origin, why, detail, dropped_at FROM drops ORDER BY dropped_at DESC LIMIT ?")) {
            q.setInt(1, limit);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    drops.add(new Drop(ResourceId.fromKey(r.getString(1)), r.getLong(2), r.getString(3),
                            StoreListener.Removal.valueOf(r.getString(4)), r.getString(5),
                            Instant.ofEpochMilli(r.getLong(6))));
                }
            }
        } catch (SQLException e) {
            throw failure("store query failed", e);
        }
        return drops;
    }

    /** Logs and tells the listeners what was removed; called with no lock held. */
    private void deliverNotices() {
        Notice n;
        while ((n = notices.poll()) != null) {
            StoredResource r = n.resource();
            switch (n.why()) {
                case EVICTED -> log.info("store: evicted {} ({} bytes, last used {})", r.id().shortForm(), r.size(), r.lastAccess());
                case REMOVED -> log.info("store: removed {}", r.id().shortForm());
                default -> log.error("store: dropped {}: {}", r.id().text(),
                        n.detail() == null ? n.why().name().toLowerCase(Locale.ROOT) : n.detail());
            }
            Notice notice = n;
            notify(l -> l.removed(notice.resource(), notice.why()));
        }
    }

    private void notify(java.util.function.Consumer<StoreListener> call) {
        for (StoreListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("store listener {} failed: {}", l, e.toString());
            }
        }
    }

    // ---- reading ----

    public boolean contains(ResourceId id) {
        return sizes.containsKey(id.key());
    }

    public Optional<StoredResource> get(ResourceId id) throws IOException {
        flushAccesses();
        return record(id);
    }

    /** The record as written, without the use counts not yet written. */
    private Optional<StoredResource> record(ResourceId id) throws IOException {
        List<StoredResource> found = query("SELECT " + COLUMNS + " FROM resources WHERE id_key = ?", id.key());
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Every stored resource, oldest first. */
    public List<StoredResource> list() throws IOException {
        flushAccesses();
        return query("SELECT " + COLUMNS + " FROM resources ORDER BY added, id_key");
    }

    /**
     * Resources whose origin URL, media type or id contains {@code text} (case-insensitive), most
     * recently used first, at most {@code limit}.
     */
    public List<StoredResource> search(String text, int limit) throws IOException {
        flushAccesses();
        if (ResourceId.isValid(text)) { // a whole id, in any of its forms
            return record(ResourceId.parse(text)).map(List::of).orElse(List.of());
        }
        String like = "%" + text.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return query("SELECT " + COLUMNS + " FROM resources WHERE LOWER(origin) LIKE ? OR LOWER(media_type) LIKE ?"
                + " OR id_key LIKE ? ORDER BY last_access DESC, id_key LIMIT ?", like, like, like, limit);
    }

    public StoreStats stats() throws IOException {
        flushAccesses();
        try (Connection c = connection(); PreparedStatement q = c.prepareStatement(
                "SELECT COUNT(*), COALESCE(SUM(size), 0),"
                        + " COALESCE(SUM(CASE WHEN pinned THEN 1 ELSE 0 END), 0),"
                        + " COALESCE(SUM(CASE WHEN pinned THEN size ELSE 0 END), 0),"
                        + " COALESCE(SUM(hits), 0), COALESCE(SUM(bytes_served), 0) FROM resources");
             ResultSet r = q.executeQuery()) {
            r.next();
            return new StoreStats(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), quotaBytes,
                    r.getLong(5), r.getLong(6));
        } catch (SQLException e) {
            throw failure("store query failed", e);
        }
    }

    /** Piece trees of the Merkle-root resources served lately: hashing a resource again for each range would cost more than sending it. */
    private final Map<String, io.swarmkeeper.content.PieceTree> pieceTrees = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, io.swarmkeeper.content.PieceTree> eldest) {
            return size() > 16;
        }
    };

    @Override
    public Optional<io.swarmkeeper.content.PieceTree> pieceTree(ResourceId id) throws IOException {
        synchronized (pieceTrees) {
            io.swarmkeeper.content.PieceTree cached = pieceTrees.get(id.key());
            if (cached != null && contains(id)) {
                return Optional.of(cached);
            }
        }
        Optional<io.swarmkeeper.content.PieceTree> built = ContentSource.super.pieceTree(id);
        built.ifPresent(tree -> {
            synchronized (pieceTrees) {
                pieceTrees.put(id.key(), tree);
            }
        });
        return built;
    }

    /** Reads the whole resource into memory; for small resources and tests. */
    public Optional<byte[]> readAll(ResourceId id) throws IOException {
        Optional<Content> content = open(id);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        try (Content opened = content.get(); InputStream in = opened.stream()) {
            if (opened.size() > Integer.MAX_VALUE - 8) {
                throw new IOException(id + " is too large to read into memory");
            }
            byte[] bytes = new byte[(int) opened.size()];
            if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
                throw new IOException(id + " is shorter on disk than recorded");
            }
            return Optional.of(bytes);
        }
    }

    /**
     * Opens a stored resource for reading and counts it as used. The first open of a resource
     * after the store was opened (or after its file changed) hashes its bytes before handing them
     * out, so that bytes damaged on disk are never served, not even once. Bytes found missing, of
     * the wrong size or no longer matching their id are dropped from the store (listeners hear
     * {@code MISSING} or {@code CORRUPT}), and the resource is reported as not held.
     */
    @Override
    public Optional<Content> open(ResourceId id) throws IOException {
        ensureOpen();
        Long size = sizes.get(id.key());
        if (size == null) {
            return Optional.empty();
        }
        FileChannel channel = blobs.openForReading(id);
        if (channel == null) {
            removeResource(id, StoreListener.Removal.MISSING, null, "its bytes are gone from disk");
            deliverNotices();
            return Optional.empty();
        }
        try {
            long onDisk = channel.size();
            if (onDisk != size) {
                Object file = blobs.fileKey(id);
                channel.close();
                removeResource(id, StoreListener.Removal.CORRUPT, file, "it is " + onDisk + " bytes on disk, " + size + " recorded");
                deliverNotices();
                return Optional.empty();
            }
            if (!verifiedBeforeUse(id, channel)) {
                channel.close();
                return Optional.empty();
            }
            if (accesses.opened(id.key())) {
                try {
                    flushAccesses();
                } catch (IOException e) {
                    // Use counts wait in memory (a full disk, say): reading must not fail for them.
                    log.debug("store {}: use counts not written yet: {}", directory, e.getMessage());
                }
            }
            return Optional.of(new FileContent(id, channel, size));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * True when the bytes of {@code id} verified since the store was opened and their file has not
     * changed since; otherwise hashes them now through {@code channel} (left at position 0), and
     * drops them when they fail. Readers of the same resource wait for one hashing.
     */
    private boolean verifiedBeforeUse(ResourceId id, FileChannel channel) throws IOException {
        BlobFiles.FileState state = blobs.state(id);
        if (state != null && state.equals(verified.get(id.key()))) {
            return true;
        }
        Object lock = verifying.computeIfAbsent(id.key(), k -> new Object());
        try {
            synchronized (lock) {
                try {
                    state = blobs.state(id);
                    if (state == null) {
                        return false; // dropped meanwhile by another reader
                    }
                    if (state.equals(verified.get(id.key()))) {
                        return true;
                    }
                    byte[] actual = hash(id, channel);
                    channel.position(0);
                    if (!id.matches(actual)) {
                        removeResource(id, StoreListener.Removal.CORRUPT, state.key(),
                                "it failed its integrity check before being read: its bytes now hash to " + id.describe(actual));
                        return false;
                    }
                    markVerified(id, state);
                } finally {
                    verifying.remove(id.key(), lock);
                }
            }
        } finally {
            deliverNotices(); // with no lock held
        }
        try {
            update("UPDATE resources SET verified_at = ? WHERE id_key = ?", System.currentTimeMillis(), id.key());
        } catch (IOException e) {
            log.debug("store: verification time of {} not saved: {}", id.shortForm(), e.getMessage());
        }
        return true;
    }

    /** Remembers that the file of {@code id}, in {@code state} (taken before hashing it), hashed true. */
    private void markVerified(ResourceId id, BlobFiles.FileState state) {
        if (state != null && sizes.containsKey(id.key())) {
            verified.put(id.key(), state);
        }
    }

    /** An opened resource; on close, what was read is added to its bytes served. */
    private final class FileContent implements Content {
        private final ResourceId id;
        private final FileChannel channel;
        private final long size;
        private final AtomicLong read = new AtomicLong();

        FileContent(ResourceId id, FileChannel channel, long size) {
            this.id = id;
            this.channel = channel;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream stream() {
            InputStream in = Channels.newInputStream(channel);
            return new java.io.FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        read.incrementAndGet();
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        read.addAndGet(n);
                    }
                    return n;
                }

                @Override
                public void close() {
                    // the channel is closed with the content
                }
            };
        }

        @Override
        public java.nio.channels.ReadableByteChannel channel(long position) {
            return new java.nio.channels.ReadableByteChannel() {
                private long at = position;

                @Override
                public int read(ByteBuffer dst) throws IOException {
                    int n = channel.read(dst, at);
                    if (n > 0) {
                        at += n;
                        read.addAndGet(n);
                    }
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return channel.isOpen();
                }

                @Override
                public void close() {
                    // the channel is closed with the content
                }
            };
        }

        @Override
        public void close() throws IOException {
            channel.close();
            long served = read.getAndSet(0);
            if (served > 0) {
                accesses.served(id.key(), served);
            }
        }
    }

    /**
     * Use counts (last access, hits, bytes served) gathered in memory and written in one
     * transaction before anything reads them (queries, eviction, the scrub), by the first read
     * after 5 s, and at close; a crash forgets those not yet written, which only shifts the
     * eviction order. Writing them on every read cost more than the read itself.
     */
    private static final class AccessLog {
        private static final long FLUSH_EVERY_MS = 5_000;
        private final ConcurrentHashMap<String, long[]> pending = new ConcurrentHashMap<>();
        private final AtomicLong lastDrain = new AtomicLong(System.currentTimeMillis());

        /** Counts an open; true when the counts are due to be written. */
        boolean opened(String key) {
            long now = System.currentTimeMillis();
            pending.compute(key, (k, v) -> {
                long[] a = v == null ? new long[3] : v;
                a[0] = Math.max(a[0], now);
                a[1]++;
                return a;
            });
            return now - lastDrain.get() > FLUSH_EVERY_MS || pending.size() > 10_000;
        }

        void served(String key, long bytes) {
            pending.compute(key, (k, v) -> {
                long[] a = v == null ? new long[3] : v;
                a[2] += bytes;
                return a;
            });
        }

        /** Puts back counts that could not be written. */
        void restore(Map<String, long[]> drained) {
            drained.forEach((key, counts) -> pending.merge(key, counts, (now, back) -> {
                now[0] = Math.max(now[0], back[0]);
                now[1] += back[1];
                now[2] += back[2];
                return now;
            }));
        }

        Map<String, long[]> drain() {
            lastDrain.set(System.currentTimeMillis());
            Map<String, long[]> drained = new HashMap<>();
            for (String key : pending.keySet()) {
                long[] a = pending.remove(key);
                if (a != null) {
                    drained.put(key, a);
                }
            }
            return drained;
        }
    }

    private void flushAccesses() throws IOException {
        Map<String, long[]> drained = accesses.drain();
        if (drained.isEmpty()) {
            return;
        }
        try {
            writeAccesses(drained);
        } catch (IOException e) {
            accesses.restore(drained); // written with the next flush that succeeds
            throw e;
        }
    }

    private void writeAccesses(Map<String, long[]> drained) throws IOException {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement u = c.prepareStatement("UPDATE resources SET last_access = GREATEST(last_access, ?),"
                    + " hits = hits + ?, bytes_served = bytes_served + ? WHERE id_key = ?")) {
                for (var e : drained.entrySet()) {
                    u.setLong(1, e.getValue()[0]);
                    u.setLong(2, e.getValue()[1]);
                    u.setLong(3, e.getValue()[2]);
                    u.setString(4, e.getKey());
                    u.addBatch();
                }
                u.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("store update failed", e);
        }
    }

    // ---- integrity ----

    /** What {@link #scrub} found. */
    public record ScrubReport(int checked, long bytes, List<ResourceId> dropped) {}

    /**
     * Re-hashes up to {@code maxResources} stored resources, those checked longest ago first, and
     * drops every one whose bytes are missing, of the wrong size, or no longer match its id. A
     * pass over every record also adopts verified files that have no record and deletes the rest.
     * A file that cannot be read is reported and skipped, not dropped (the cause may pass).
     */
    public ScrubReport scrub(int maxResources) throws IOException {
        try {
            return scrubNow(maxResources);
        } finally {
            deliverNotices();
        }
    }

    private ScrubReport scrubNow(int maxResources) throws IOException {
        flushAccesses();
        List<Object[]> due = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement q = c.prepareStatement(
                "SELECT id_key, size FROM resources ORDER BY verified_at, id_key LIMIT ?")) {
            q.setInt(1, maxResources);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    due.add(new Object[] {ResourceId.fromKey(r.getString(1)), r.getLong(2)});
                }
            }
        } catch (SQLException e) {
            throw failure("store query failed", e);
        }
        List<ResourceId> dropped = new ArrayList<>();
        long bytes = 0;
        for (Object[] row : due) {
            if (isClosed()) {
                break;
            }
            ResourceId id = (ResourceId) row[0];
            long size = (Long) row[1];
            bytes += size;
            Problem problem;
            try {
                problem = check(id, size);
            } catch (IOException e) {
                log.warn("store scrub: cannot read the bytes of {}: {}", id.text(), e.toString());
                problem = null;
            }
            if (problem == null) {
                update("UPDATE resources SET verified_at = ? WHERE id_key = ?", System.currentTimeMillis(), id.key());
            } else if (removeResource(id, problem.why(), problem.file(), problem.detail())) {
                dropped.add(id);
            }
        }
        if (due.size() < maxResources && !isClosed()) {
            Reconciliation swept = sweepUnrecorded();
            if (swept.adopted() + swept.discarded() > 0) {
                log.warn("store scrub: {}", swept);
                makeRoom(0);
            }
        }
        return new ScrubReport(due.size(), bytes, dropped);
    }

    /**
     * Re-hashes one stored resource now and drops it if its bytes are missing or wrong. True when
     * it is stored and verified.
     */
    public boolean verify(ResourceId id) throws IOException {
        Long size = sizes.get(id.key());
        if (size == null) {
            return false;
        }
        try {
            Problem problem = check(id, size);
            if (problem == null) {
                return true;
            }
            removeResource(id, problem.why(), problem.file(), problem.detail());
            return false;
        } finally {
            deliverNotices();
        }
    }

    /** What is wrong with a stored file: why to drop it, which file it was, and what was seen. */
    private record Problem(StoreListener.Removal why, Object file, String detail) {}

    /** Null when the bytes of {@code id} are whole and true; otherwise what is wrong with them. */
    private Problem check(ResourceId id, long size) throws IOException {
        BlobFiles.FileState state = blobs.state(id);
        Object file = state == null ? null : state.key();
        try (FileChannel in = blobs.openForReading(id)) {
            if (in == null) {
                return new Problem(StoreListener.Removal.MISSING, null, "its bytes are gone from disk");
            }
            if (in.size() != size) {
                return new Problem(StoreListener.Removal.CORRUPT, file, "it is " + in.size() + " bytes on disk, " + size + " recorded");
            }
            byte[] actual = hash(id, in);
            if (!id.matches(actual)) {
                return new Problem(StoreListener.Removal.CORRUPT, file,
                        "it failed its integrity check: its bytes now hash to " + id.describe(actual));
            }
            markVerified(id, state);
            return null;
        }
    }

    private static byte[] hash(ResourceId id, FileChannel in) throws IOException {
        MessageDigest digest = id.newDigest();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        while (in.read(buffer) >= 0) {
            buffer.flip();
            digest.update(buffer);
            buffer.clear();
        }
        return digest.digest();
    }

    /**
     * Starts re-hashing the store in the background, one resource after another, at most
     * {@code bytesPerSecond} on average, starting over when all were checked. Stops at close.
     */
    public synchronized void startScrubbing(long bytesPerSecond) {
        if (scrubber != null || closed) {
            return;
        }
        scrubber = new Scrubber(bytesPerSecond);
        scrubThread = new Thread(scrubber, "store-scrub");
        scrubThread.setDaemon(true);
        scrubThread.setPriority(Thread.MIN_PRIORITY);
        scrubThread.start();
    }

    private final class Scrubber implements Runnable {
        private final long bytesPerSecond;
        private volatile boolean stop;

        Scrubber(long bytesPerSecond) {
            this.bytesPerSecond = Math.max(1, bytesPerSecond);
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    if (diskFull != null) {
                        Thread.sleep(1_000); // its checks are written to the database: wait for room
                        continue;
                    }
                    ScrubReport r = scrub(1);
                    long pauseMs = r.checked() == 0 ? 10_000 : Math.max(10, r.bytes() * 1000 / bytesPerSecond);
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (!stop) {
                        log.warn("store scrub: {}", e.getMessage());
                        try {
                            Thread.sleep(10_000);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** What reconciling files and records after a crash found. */
    record Reconciliation(int adopted, int discarded, int missing) {
        @Override
        public String toString() {
            return adopted + " files adopted, " + discarded + " bad files discarded, " + missing + " records without bytes dropped";
        }
    }

    /**
     * Matches files and records: a verified file without a record (a crash between rename and
     * commit, or a database moved aside) is adopted; a file that fails its hash is deleted; a
     * record whose file is gone is dropped and reported.
     */
    Reconciliation reconcile() throws IOException {
        Set<String> recorded = new HashSet<>();
        try (Connection c = connection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id_key FROM resources")) {
            while (r.next()) {
                recorded.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw failure("store query failed", e);
        }
        Set<String> onDisk = new HashSet<>();
        blobs.forEach(file -> onDisk.add(file.getFileName().toString()));
        Reconciliation swept = sweep(recorded);
        int missing = 0;
        for (String key : recorded) {
            if (!onDisk.contains(key) && removeResource(ResourceId.fromKey(key), StoreListener.Removal.MISSING, null,
                    "its bytes were gone from disk after a crash")) {
                missing++;
            }
        }
        return new Reconciliation(swept.adopted(), swept.discarded(), missing);
    }

    /** Adopts or deletes every file in blobs/ that has no record in memory. */
    private Reconciliation sweepUnrecorded() throws IOException {
        return sweep(sizes.keySet());
    }

    private Reconciliation sweep(Set<String> recorded) throws IOException {
        List<Path> unrecorded = new ArrayList<>();
        blobs.forEach(file -> {
            if (!recorded.contains(file.getFileName().toString())) {
                unrecorded.add(file);
            }
        });
        int adopted = 0;
        int discarded = 0;
        for (Path file : unrecorded) {
            if (adopt(file)) {
                adopted++;
            } else {
                discarded++;
            }
        }
        return new Reconciliation(adopted, discarded, 0);
    }

    private boolean adopt(Path file) throws IOException {
        ResourceId id;
        try {
            id = ResourceId.fromKey(file.getFileName().toString());
        } catch (IllegalArgumentException e) {
            log.warn("store: removing {}, which is not a stored resource", file);
            Files.deleteIfExists(file);
            return false;
        }
        if (!file.equals(blobs.pathOf(id))) {
            Files.deleteIfExists(file);
            return false;
        }
        long size;
        byte[] actual;
        BlobFiles.FileState adopted = blobs.state(id);
        try (FileChannel in = FileChannel.open(file)) {
            size = in.size();
            actual = hash(id, in);
        }
        if (!id.matches(actual)) {
            log.warn("store: removing {}: its bytes hash to {}", file, id.describe(actual));
            Files.deleteIfExists(file);
            return false;
        }
        long mtime = Files.getLastModifiedTime(file).toMillis();
        synchronized (admission) {
            if (sizes.containsKey(id.key())) {
                return true; // stored meanwhile by a put: the same bytes
            }
            insertAdopted(id, size, mtime);
            sizes.put(id.key(), size);
            usedBytes.addAndGet(size);
            markVerified(id, adopted);
        }
        return true;
    }

    private void insertAdopted(ResourceId id, long size, long mtime) throws IOException {
        try (Connection c = connection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO resources (" + COLUMNS + ", verified_at) VALUES (?, ?, NULL, NULL, ?, ?, 0, 0, FALSE, ?)")) {
            insert.setString(1, id.key());
            insert.setLong(2, size);
            insert.setLong(3, mtime);
            insert.setLong(4, mtime);
            insert.setLong(5, System.currentTimeMillis());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw failure("store failed", e);
        }
    }

    // ---- a full disk ----

    /**
     * True while the store's disk is full: new resources are refused at once, stored ones are
     * still read (use counts wait in memory). Ends by itself when the disk has room again.
     */
    public boolean isDiskFull() {
        return diskFull != null;
    }

    /**
     * True when a new resource may be fetched for this store: the disk is not full and has more
     * than the reserve free. Asked before a download (which stages on the store's disk) and after
     * one failed; a disk found short of space puts the store in its disk-full state.
     */
    public boolean hasRoom() {
        if (diskFull == null && lowOnSpace()) {
            diskIsFull("only " + usableOrZero() + " bytes are free on its disk; " + reserveBytes + " are kept free");
        }
        return diskFull == null;
    }

    private void refuseWhileTheDiskIsFull() throws StoreFullException {
        String full = diskFull;
        if (full == null && lowOnSpace()) {
            diskIsFull("only " + usableOrZero() + " bytes are free on its disk; " + reserveBytes + " are kept free");
            full = diskFull;
        }
        if (full != null) {
            throw new StoreFullException("the disk of store " + directory + " is full (" + full
                    + "); new resources wait until there is room");
        }
    }

    private boolean lowOnSpace() {
        return usableOrZero() < reserveBytes;
    }

    private long usableOrZero() {
        try {
            return DiskSpace.usable(directory);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Enters the disk-full state (once): tells the listeners, and watches the disk until it has
     * room again (twice the reserve), then reopens the database (H2 closes it when a write fails),
     * checks records against files, and tells the listeners there is room.
     */
    private void diskIsFull(String why) {
        synchronized (this) {
            if (diskFull != null || closed) {
                return;
            }
            diskFull = why;
            spaceWatch = new Thread(this::watchForRoom, "store-space");
            spaceWatch.setDaemon(true);
            spaceWatch.start();
        }
        log.warn("store {}: its disk is full ({}); new resources are refused, stored ones are still served",
                directory, why);
        notify(l -> l.diskSpace(true, why));
    }

    /** Checks the free space every {@link #SPACE_CHECK_MILLIS} until the store has room again or closes. */
    private void watchForRoom() {
        while (!isClosed()) {
            try {
                Thread.sleep(SPACE_CHECK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (usableOrZero() >= 2 * reserveBytes && reopenDatabase()) {
                synchronized (this) {
                    diskFull = null;
                    spaceWatch = null;
                }
                String room = usableOrZero() + " bytes free";
                log.info("store {}: its disk has room again ({}); new resources are taken again", directory, room);
                deliverNotices();
                notify(l -> l.diskSpace(false, room));
                return;
            }
        }
    }

    static final long SPACE_CHECK_MILLIS = 1_000;

    /**
     * A fresh pool on the same database (H2 reopens it if it closed it), then records and files
     * matched again: a write that failed may have left bytes without a record or the reverse.
     */
    private boolean reopenDatabase() {
        synchronized (admission) {
            if (isClosed()) {
                return false;
            }
            JdbcConnectionPool fresh = JdbcConnectionPool.create(url, "sa", "");
            fresh.setMaxConnections(16);
            try (Connection c = fresh.getConnection(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT COUNT(*) FROM resources")) {
                r.next();
            } catch (SQLException e) {
                fresh.dispose();
                log.warn("store {}: its database cannot be opened again yet: {}", directory, e.getMessage());
                return false;
            }
            JdbcConnectionPool old = pool;
            pool = fresh;
            old.dispose();
            try {
                Reconciliation r = reconcile();
                if (r.adopted() + r.discarded() + r.missing() > 0) {
                    log.warn("store {}: after the full disk: {}", directory, r);
                }
                loadSizes();
                flushAccesses();
            } catch (IOException e) {
                log.warn("store {}: records not checked after the full disk: {}", directory, e.getMessage());
                return false;
            }
            return true;
        }
    }

    // ---- plumbing ----

    private Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** H2's codes for a database it closed (after a write failed) or is closing. */
    private static final int DATABASE_IS_CLOSED = 90098;
    private static final int DATABASE_CALLED_AT_SHUTDOWN = 90121;

    /**
     * The IOException callers see for a failed statement. A full disk, or a database H2 closed
     * (it does when a write fails), puts the store in its disk-full state when the disk is short
     * of space; the database is opened again once there is room.
     */
    private IOException failure(String what, SQLException e) {
        boolean closedByH2 = e.getErrorCode() == DATABASE_IS_CLOSED || e.getErrorCode() == DATABASE_CALLED_AT_SHUTDOWN;
        if (!isClosed() && (DiskSpace.isNoSpace(e) || ((closedByH2 || e.getErrorCode() == GENERAL_ERROR) && lowOnSpace()))) {
            log.debug("store {}: database write failed: {}", directory, e.toString());
            diskIsFull("its database could not write: " + usableOrZero() + " bytes free");
        }
        return new IOException(what + ": " + firstLine(e.getMessage()), e);
    }

    private static final int GENERAL_ERROR = 50000;


    private List<StoredResource> query(String sql, Object... params) throws IOException {
        List<StoredResource> result = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement q = prepare(c, sql, params);
             ResultSet r = q.executeQuery()) {
            while (r.next()) {
                result.add(new StoredResource(ResourceId.fromKey(r.getString(1)), r.getLong(2), r.getString(3),
                        r.getString(4), Instant.ofEpochMilli(r.getLong(5)), Instant.ofEpochMilli(r.getLong(6)),
                        r.getLong(7), r.getLong(8), r.getBoolean(9)));
            }
        } catch (SQLException e) {
            throw failure("store query failed", e);
        }
        return result;
    }

    private int update(String sql, Object... params) throws IOException {
        try (Connection c = connection(); PreparedStatement u = prepare(c, sql, params)) {
            return u.executeUpdate();
        } catch (SQLException e) {
            throw failure("store update failed", e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            s.setObject(i + 1, params[i]);
        }
        return s;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void ensureOpen() throws StoreException {
        if (isClosed()) {
            throw new StoreException("store " + directory + " is closed");
        }
    }

    /**
     * Stops the scrub, lets a put that is recording finish, and closes the database; the
     * {@code running} marker goes last, so that only a clean close skips the next reconcile.
     * Idempotent.
     */
    @Override
    public void close() {
        Thread scrubbing;
        Thread watching;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (scrubber != null) {
                scrubber.stop = true;
            }
            scrubbing = scrubThread;
            watching = spaceWatch;
        }
        if (watching != null) {
            watching.interrupt();
        }
        if (scrubbing != null) {
            scrubbing.interrupt();
            try {
                scrubbing.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (admission) {
            try {
                flushAccesses();
            } catch (IOException e) {
                log.warn("store {}: use counts not saved: {}", directory, e.getMessage());
            }
            try (Connection c = connection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException e) {
                log.debug("shutdown: {}", e.toString());
            }
            pool.dispose();
        }
        deliverNotices();
        try {
            Files.deleteIfExists(directory.resolve(RUNNING_MARKER));
        } catch (IOException e) {
            log.warn("store {}: cannot remove {}: {}", directory, RUNNING_MARKER, e.getMessage());
        }
        OPEN_IN_THIS_PROCESS.remove(realDirectory);
    }
}
