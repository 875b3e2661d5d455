package io.swarmkeeper.store;

import static io.swarmkeeper.store.ContentStoreTest.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.transfer.ContentSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quota, eviction, pinning, statistics, the scrub and reconciliation of the content store. */
class StoreKeepingTest {
    @TempDir
    Path dir;

    private final List<String> removals = new CopyOnWriteArrayList<>();

    private ContentStore open(long quota) throws IOException {
        ContentStore store = ContentStore.open(dir, quota);
        store.addListener(new StoreListener() {
            @Override
            public void added(StoredResource resource) {
            }

            @Override
            public void removed(StoredResource resource, Removal why) {
                removals.add(why + " " + resource.id().shortForm());
            }
        });
        return store;
    }

    private static ResourceId put(ContentStore store, int size) throws IOException {
        byte[] body = randomBytes(size);
        ResourceId id = ResourceId.of(body);
        assertTrue(store.put(id, new ByteArrayInputStream(body), "image/jpeg", "http://origin/" + size + ".jpg"));
        return id;
    }

    private static void use(ContentStore store, ResourceId id) throws IOException {
        assertTrue(store.readAll(id).isPresent());
    }

    @Test
    void evictsTheLeastRecentlyUsedFirstAndNeverWhatIsPinned() throws Exception {
        try (ContentStore store = open(10_000)) {
            ResourceId a = put(store, 3_000);
            Thread.sleep(5);
            ResourceId b = put(store, 3_001);
            Thread.sleep(5);
            ResourceId c = put(store, 3_002);
            assertTrue(store.pin(a, true));
            Thread.sleep(5);
            use(store, b); // b is now more recent than c
            Thread.sleep(5);

            ResourceId d = put(store, 3_003); // 12,006 > 10,000: one must go; a is pinned, c is least recent
            assertEquals(List.of("EVICTED " + c.shortForm()), removals);
            assertTrue(store.contains(a) && store.contains(b) && store.contains(d));
            assertFalse(store.contains(c));
            assertEquals(9_004, store.usedBytes());

            store.setQuota(7_000); // lowering the quota evicts at once, least recent unpinned first
            assertEquals(List.of("EVICTED " + c.shortForm(), "EVICTED " + b.shortForm()), removals);
            assertTrue(store.contains(a) && store.contains(d));
        }
    }

    @Test
    void refusesWhatCannotFitAndSaysWhy() throws Exception {
        try (ContentStore store = open(5_000)) {
            ResourceId pinned = put(store, 4_000);
            store.pin(pinned, true);
            byte[] tooBig = randomBytes(6_000);
            StoreFullException larger = assertThrows(StoreFullException.class,
                    () -> store.put(ResourceId.of(tooBig), new ByteArrayInputStream(tooBig), null, null));
            assertTrue(larger.getMessage().contains("larger than the store quota of 5000"), larger.getMessage());
            byte[] body = randomBytes(2_000);
            StoreFullException full = assertThrows(StoreFullException.class,
                    () -> store.put(ResourceId.of(body), new ByteArrayInputStream(body), null, null));
            assertTrue(full.getMessage().contains("full of pinned resources"), full.getMessage());
            assertEquals(1, store.list().size(), "the pinned resource stays; nothing half-stored");
            assertTrue(store.pin(pinned, false));
            assertTrue(store.put(ResourceId.of(body), new ByteArrayInputStream(body), null, null));
            assertFalse(store.contains(pinned), "unpinned, it made room");
        }
        try (var staged = Files.list(dir.resolve("staging"))) {
            assertEquals(0, staged.count(), "refused bytes are not left in staging");
        }
    }

    @Test
    void countsUseAndSearchesAndSumsUp() throws Exception {
        try (ContentStore store = open(0)) {
            ResourceId a = put(store, 10_000);
            ResourceId b = put(store, 20_000);
            store.pin(b, true);
            try (ContentSource.Content content = store.open(a).orElseThrow(); InputStream in = content.stream()) {
                in.readNBytes(4_000); // a peer that read part of it
            }
            use(store, a);
            StoredResource got = store.get(a).orElseThrow();
            assertEquals(2, got.hits());
            assertEquals(14_000, got.bytesServed());
            assertEquals("image/jpeg", got.mediaType());
            assertEquals("http://origin/10000.jpg", got.origin());

            assertEquals(List.of(b), store.search("20000.JPG", 10).stream().map(StoredResource::id).toList());
            assertEquals(2, store.search("image/", 10).size());
            assertEquals(List.of(a), store.search(a.text().substring(0, 10), 10).stream().map(StoredResource::id).toList());
            assertEquals(0, store.search("%", 10).size(), "search text is literal, not a pattern");

            assertEquals(new StoreStats(2, 30_000, 1, 20_000, 0, 2, 14_000), store.stats());
            assertTrue(store.remove(a));
            assertFalse(store.remove(a));
            assertEquals(List.of("REMOVED " + a.shortForm()), removals);
        }
    }

    @Test
    void keepsSriIdsToo() throws Exception {
        byte[] body = randomBytes(5_000);
        ResourceId sri = ResourceId.of(HashAlgorithm.SHA384, body);
        try (ContentStore store = open(0)) {
            assertTrue(store.put(sri, new ByteArrayInputStream(body), null, null));
        }
        try (ContentStore store = open(0)) {
            assertEquals(sri, store.list().get(0).id());
            assertArrayEquals(body, store.readAll(ResourceId.parse(sri.text())).orElseThrow());
        }
    }

    @Test
    void theScrubDropsBytesChangedOnDisk() throws Exception {
        ResourceId changed;
        ResourceId intact;
        try (ContentStore store = open(0)) {
            changed = put(store, 50_000);
            intact = put(store, 50_001);
        }
        Path file = new BlobFiles(dir).pathOf(changed);
        byte[] bytes = Files.readAllBytes(file);
        bytes[12_345] ^= 0x10; // same size, one bit flipped
        Files.write(file, bytes);
        try (ContentStore store = open(0)) {
            ContentStore.ScrubReport report = store.scrub(100);
            assertEquals(2, report.checked());
            assertEquals(List.of(changed), report.dropped());
            assertEquals(List.of("CORRUPT " + changed.shortForm()), removals);
            assertFalse(Files.exists(file));
            assertTrue(store.readAll(intact).isPresent());
            assertEquals(0, store.scrub(100).dropped().size(), "a second pass finds nothing more");
        }
    }

    @Test
    void theScrubDropsRecordsChangedInTheDatabase() throws Exception {
        ResourceId wrongSize;
        ResourceId wrongId;
        ResourceId intact;
        try (ContentStore store = open(0)) {
            wrongSize = put(store, 30_000);
            wrongId = put(store, 30_001);
            intact = put(store, 30_002);
        }
        ResourceId lie = ResourceId.of(randomBytes(7));
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.toAbsolutePath().resolve("swarmkeeper"), "sa", "");
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE resources SET size = 29999 WHERE id_key = '" + wrongSize.key() + "'");
            s.executeUpdate("UPDATE resources SET id_key = '" + lie.key() + "' WHERE id_key = '" + wrongId.key() + "'");
        }
        try (ContentStore store = open(0)) {
            ContentStore.ScrubReport report = store.scrub(100);
            assertEquals(3, report.checked());
            assertEquals(2, report.dropped().size(), "wrong size and a record whose bytes are not there");
            assertTrue(report.dropped().contains(wrongSize) && report.dropped().contains(lie));
            // A full pass also finds the bytes whose record was renamed: they verify, so they are kept.
            assertEquals(java.util.Set.of(intact, wrongId),
                    java.util.Set.copyOf(store.list().stream().map(StoredResource::id).toList()));
            assertEquals(30_001 + 30_002, store.usedBytes());
            try (var files = Files.walk(dir.resolve("blobs"))) {
                assertEquals(2, files.filter(Files::isRegularFile).count(), "no bytes without a record are left");
            }
        }
    }

    @Test
    void theBackgroundScrubFindsCorruptionOnItsOwn() throws Exception {
        ResourceId changed;
        try (ContentStore store = open(0)) {
            changed = put(store, 40_000);
        }
        Path file = new BlobFiles(dir).pathOf(changed);
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] ^= 1;
        Files.write(file, bytes);
        try (ContentStore store = open(0)) {
            store.startScrubbing(100_000_000);
            io.swarmkeeper.testing.Poll.until(java.time.Duration.ofSeconds(10), "the scrub", () -> !removals.isEmpty());
            assertEquals(List.of("CORRUPT " + changed.shortForm()), removals);
        }
    }

    @Test
    void aKilledWriterLeavesOnlyWholeVerifiedResources() throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreWriter.class.getName(), dir.toString(), "7", "20000000")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<ResourceId> acknowledged = new ArrayList<>();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(writer.getInputStream()))) {
            String line;
            while (acknowledged.size() < 200 && (line = lines.readLine()) != null) {
                acknowledged.add(ResourceId.parse(line));
            }
            writer.destroyForcibly().waitFor(); // SIGKILL in the middle of a write
        }
        assertEquals(200, acknowledged.size(), "the writer got going");
        try (ContentStore store = open(20_000_000)) {
            List<StoredResource> listed = store.list();
            for (StoredResource r : listed) {
                byte[] bytes = store.readAll(r.id()).orElseThrow(() -> new AssertionError("listed but unreadable: " + r.id()));
                assertEquals(r.id(), ResourceId.of(bytes), "every listed resource verifies");
                assertEquals(r.size(), bytes.length);
            }
            assertEquals(0, store.scrub(Integer.MAX_VALUE).dropped().size());
            assertTrue(store.usedBytes() <= 20_000_000);
            long bytes = listed.stream().mapToLong(StoredResource::size).sum();
            assertEquals(bytes, store.usedBytes());
            try (var files = Files.walk(dir.resolve("blobs"))) {
                assertEquals(listed.size(), files.filter(Files::isRegularFile).count(), "every file has its record");
            }
            // Acknowledged puts survive unless the quota evicted them (it evicts unpinned ones only).
            for (int i = 0; i < acknowledged.size(); i += 5) {
                assertTrue(store.contains(acknowledged.get(i)), "pinned and acknowledged: " + i);
            }
        }
        try (var staged = Files.list(dir.resolve("staging"))) {
            assertEquals(0, staged.count(), "interrupted writes are cleared");
        }
    }
}
