package io.swarmkeeper.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.transfer.ContentSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    @TempDir
    Path dir;

    @Test
    void keepsVerifiedBytesAcrossRestarts() throws IOException {
        byte[] body = randomBytes(3_000_000);
        ResourceId id = ResourceId.of(body);
        try (ContentStore store = ContentStore.open(dir)) {
            assertTrue(store.put(id, new ByteArrayInputStream(body), "image/jpeg", "http://origin/a.jpg"));
            assertFalse(store.put(id, new ByteArrayInputStream(body), null, null), "second put is a no-op");
        }
        try (ContentStore store = ContentStore.open(dir)) {
            assertArrayEquals(body, store.readAll(id).orElseThrow());
            StoredResource listed = store.list().get(0);
            assertEquals(id, listed.id());
            assertEquals(body.length, listed.size());
            assertEquals("image/jpeg", listed.mediaType());
            try (ContentSource.Content content = store.open(id).orElseThrow(); InputStream in = content.stream()) {
                assertEquals(body.length, content.size());
                assertArrayEquals(body, in.readAllBytes());
            }
        }
    }

    @Test
    void refusesBytesThatDoNotMatchTheirIdAndKeepsNothing() throws IOException {
        byte[] truth = randomBytes(100_000);
        byte[] lie = truth.clone();
        lie[50_000] ^= 1;
        ResourceId id = ResourceId.of(truth);
        try (ContentStore store = ContentStore.open(dir)) {
            HashMismatchException e = assertThrows(HashMismatchException.class,
                    () -> store.put(id, new ByteArrayInputStream(lie), null, null));
            assertEquals(ResourceId.of(lie).text(), e.actual());
            assertFalse(store.contains(id));
            assertTrue(store.list().isEmpty());
            assertEquals(Optional.empty(), store.open(id));
            assertNothingStaged();
            // The good bytes still go in afterwards.
            assertTrue(store.put(id, new ByteArrayInputStream(truth), null, null));
            assertArrayEquals(truth, store.readAll(id).orElseThrow());
        }
    }

    @Test
    void aFailingStreamLeavesNothingBehind() throws IOException {
        byte[] truth = randomBytes(200_000);
        ResourceId id = ResourceId.of(truth);
        InputStream breaksHalfway = new InputStream() {
            private int read;

            @Override
            public int read() throws IOException {
                if (read++ > 100_000) {
                    throw new IOException("peer vanished");
                }
                return truth[read - 1] & 0xff;
            }
        };
        try (ContentStore store = ContentStore.open(dir)) {
            assertThrows(IOException.class, () -> store.put(id, breaksHalfway, null, null));
            assertFalse(store.contains(id));
            assertNothingStaged();
        }
    }

    private void assertNothingStaged() throws IOException {
        try (var staged = Files.list(dir.resolve("staging")); var stored = Files.walk(dir.resolve("blobs"))) {
            assertEquals(0, staged.count(), "nothing left in staging/");
            assertEquals(0, stored.filter(Files::isRegularFile).count(), "nothing in blobs/");
        }
    }

    @Test
    void bytesOfTheWrongSizeOnDiskAreNeverServed() throws IOException {
        byte[] body = randomBytes(70_000);
        ResourceId id = ResourceId.of(body);
        try (ContentStore store = ContentStore.open(dir)) {
            store.put(id, new ByteArrayInputStream(body), null, null);
        }
        Path file = new BlobFiles(dir).pathOf(id);
        Files.write(file, java.util.Arrays.copyOf(body, 69_000)); // truncated behind the store's back
        try (ContentStore store = ContentStore.open(dir)) {
            assertEquals(Optional.empty(), store.open(id));
            assertFalse(store.contains(id), "dropped, and no longer offered");
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void bytesThatRottedWhileTheStoreWasClosedAreNeverHandedOut() throws IOException {
        byte[] body = randomBytes(300_000);
        byte[] other = randomBytes(300_001);
        ResourceId id = ResourceId.of(body);
        ResourceId intact = ResourceId.of(other);
        try (ContentStore store = ContentStore.open(dir)) {
            store.put(id, new ByteArrayInputStream(body), null, null);
            store.put(intact, new ByteArrayInputStream(other), null, null);
        }
        Path file = new BlobFiles(dir).pathOf(id);
        flipOneBitKeepingTheFileTime(file, 123_456);
        List<String> removals = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ContentStore store = ContentStore.open(dir)) {
            store.addListener(recordRemovals(removals));
            assertTrue(store.contains(id), "nothing looked at the bytes yet");
            assertEquals(Optional.empty(), store.open(id), "the first read hashes first, and the bytes fail");
            assertEquals(List.of("CORRUPT " + id.shortForm()), removals);
            assertFalse(store.contains(id), "dropped, and no longer offered");
            assertFalse(Files.exists(file));
            assertArrayEquals(other, store.readAll(intact).orElseThrow(), "true bytes are served");
        }
    }

    @Test
    void aFileChangedAfterItVerifiedIsHashedAgainBeforeTheNextRead() throws IOException {
        byte[] body = randomBytes(200_000);
        ResourceId id = ResourceId.of(body);
        List<String> removals = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ContentStore store = ContentStore.open(dir)) {
            store.addListener(recordRemovals(removals));
            store.put(id, new ByteArrayInputStream(body), null, null);
            assertArrayEquals(body, store.readAll(id).orElseThrow());
            Path file = new BlobFiles(dir).pathOf(id);
            byte[] changed = body.clone();
            changed[99] ^= 4;
            Files.write(file, changed); // written behind the store's back while it runs
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
            assertEquals(Optional.empty(), store.open(id));
            assertEquals(List.of("CORRUPT " + id.shortForm()), removals);
        }
    }

    /** Flips one bit and puts the file's time back, as a fault of the medium would leave it. */
    static void flipOneBitKeepingTheFileTime(Path file, int offset) throws IOException {
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x08;
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, before);
    }

    private static StoreListener recordRemovals(List<String> removals) {
        return new StoreListener() {
            @Override
            public void added(StoredResource resource) {
            }

            @Override
            public void removed(StoredResource resource, Removal why) {
                removals.add(why + " " + resource.id().shortForm());
            }
        };
    }

    @Test
    void oneStorePerDirectoryInAProcessToo() throws IOException {
        try (ContentStore store = ContentStore.open(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> ContentStore.open(dir.resolve(".")));
            assertTrue(e.getMessage().contains("already open in this process"), e.getMessage());
            assertTrue(store.list().isEmpty(), "the first is unharmed");
        }
        ContentStore.open(dir).close(); // and free again once closed
    }

    @Test
    void saysClearlyWhenTheDirectoryIsUnusable() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        StoreException e = assertThrows(StoreException.class, () -> ContentStore.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void oneProcessOwnsAStoreAtATime() throws Exception {
        Process holder = holdStoreInAnotherProcess();
        try {
            StoreException e = assertThrows(StoreException.class, () -> ContentStore.open(dir));
            assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            holder.destroyForcibly();
        }
        try (ContentStore store = ContentStore.open(dir)) {
            assertTrue(store.list().isEmpty(), "free again once the holder is gone");
        }
    }

    @Test
    void aKilledOwnerDoesNotLockTheStoreForever() throws Exception {
        Process holder = holdStoreInAnotherProcess();
        holder.destroyForcibly().waitFor(); // SIGKILL: no chance to unlock
        try (ContentStore store = ContentStore.open(dir)) {
            assertTrue(store.list().isEmpty());
        }
    }

    @Test
    void aDamagedDatabaseIsReportedClearlyAndCanBeMovedAsideWithoutLosingStoredBytes() throws Exception {
        byte[] body = randomBytes(1000);
        ResourceId id = ResourceId.of(body);
        try (ContentStore store = ContentStore.open(dir)) {
            store.put(id, new ByteArrayInputStream(body), null, null);
        }
        Path db = dir.resolve(ContentStore.DATABASE_NAME + ".mv.db");
        byte[] damaged = Files.readAllBytes(db);
        for (int i = 0; i < damaged.length; i += 7) {
            damaged[i] ^= 0x5a;
        }
        Files.write(db, damaged);
        StoreException e = assertThrows(StoreException.class, () -> ContentStore.open(dir));
        assertTrue(e.getMessage().contains("cannot open store " + dir), e.getMessage());
        assertTrue(e.getMessage().contains(db.toAbsolutePath() + " seems damaged"), e.getMessage());
        assertTrue(e.getMessage().contains("swarmkeeper store move-aside --store " + dir), e.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(db), "the damaged file is left as it was, for the user to keep or move");

        Path aside = ContentStore.moveAsideDamagedDatabase(dir);
        assertArrayEquals(damaged, Files.readAllBytes(aside), "kept, renamed");
        try (ContentStore store = ContentStore.open(dir)) {
            assertArrayEquals(body, store.readAll(id).orElseThrow(), "verified bytes adopted by the fresh database");
        }
    }

    /** Starts a JVM that opens the store in {@code dir} and keeps it until its stdin closes. */
    private Process holdStoreInAnotherProcess() throws IOException {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreHolder.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
        assertTrue(first != null && first.startsWith("open"), "the holder opened the store: " + first);
        return holder;
    }

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
