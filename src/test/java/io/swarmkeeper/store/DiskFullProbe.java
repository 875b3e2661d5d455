package io.swarmkeeper.store;

import io.swarmkeeper.content.ResourceId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A child process for {@link DiskFullStoreTest}, run on a small disk of its own: a store on it
 * meets a full disk (filled by a ballast file, as another program would) and then room again.
 * Prints one line per step passed; any failure ends it with a stack trace and a non-zero exit.
 */
public final class DiskFullProbe {
    public static void main(String[] args) throws Exception {
        Path disk = Path.of(args[0]);
        List<String> heard = new CopyOnWriteArrayList<>();
        byte[] a = bytes(1, 300_000);
        byte[] b = bytes(2, 300_000);
        ResourceId aId = ResourceId.of(a);
        ResourceId bId = ResourceId.of(b);
        try (ContentStore store = ContentStore.open(disk.resolve("store"), 1L << 40)) {
            check(store.quota() < 1L << 40 && store.quota() > 0, "a quota beyond the disk is capped: " + store.quota());
            say("quota capped to " + store.quota());
            store.addListener(new StoreListener() {
                @Override
                public void added(StoredResource resource) {
                }

                @Override
                public void removed(StoredResource resource, Removal why) {
                }

                @Override
                public void diskSpace(boolean full, String detail) {
                    heard.add((full ? "full: " : "room: ") + detail);
                }
            });
            store.put(aId, new ByteArrayInputStream(a), "application/octet-stream", "http://origin/a");
            check(store.hasRoom(), "room before the ballast");

            Path ballast = disk.resolve("ballast");
            fill(ballast);
            say("disk filled");
            // A write of the database itself meets the full disk first: H2 fails and closes it.
            try {
                store.pin(aId, true);
                throw new AssertionError("pinned on a full disk");
            } catch (IOException e) {
                say("database write failed: " + e.getMessage());
            }
            check(store.isDiskFull(), "a database write that failed for space puts the store in its disk-full state");
            check(heard.size() == 1 && heard.get(0).startsWith("full: "), "listeners heard it once: " + heard);
            say("disk-full state: " + heard.get(0));

            check(Arrays.equals(a, store.readAll(aId).orElseThrow()), "stored bytes are still read");
            check(Arrays.equals(a, store.readAll(aId).orElseThrow()), "again");
            say("still reading");
            try {
                store.put(bId, new ByteArrayInputStream(b), null, null);
                throw new AssertionError("stored on a full disk");
            } catch (StoreFullException e) {
                check(e.getMessage().contains("is full"), e.getMessage());
                say("new resource refused: " + e.getMessage());
            }
            check(!store.hasRoom(), "no room");

            Files.delete(ballast);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (store.isDiskFull() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            check(!store.isDiskFull(), "the store noticed the room by itself");
            while (heard.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the state changes first, the listeners hear it just after
            }
            check(heard.size() == 2 && heard.get(1).startsWith("room: "), "listeners heard the room: " + heard);
            say("room again: " + heard.get(1));

            check(store.pin(aId, true), "the database works again: pin");
            check(store.put(bId, new ByteArrayInputStream(b), null, null), "and put");
            check(store.list().size() == 2, "both listed: " + store.list());
            check(store.get(aId).orElseThrow().pinned(), "the pin is recorded");
            check(store.get(aId).orElseThrow().hits() >= 2, "use counts made while full were kept: "
                    + store.get(aId).orElseThrow().hits());
            say("database works again");
        }
        try (ContentStore store = ContentStore.open(disk.resolve("store"))) {
            check(store.list().size() == 2 && store.get(aId).orElseThrow().pinned(), "all of it after a reopen");
            check(Arrays.equals(b, store.readAll(bId).orElseThrow()), "bytes after a reopen");
            say("all steps passed");
        }
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            check(String.valueOf(e.getMessage()).contains("No space left on device"), "filled: " + e);
        }
    }

    private static byte[] bytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
