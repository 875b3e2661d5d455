package io.swarmkeeper.bench;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.store.FileTrees;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Put and get of 1 MiB resources through {@link ContentStore} against plain files in the same
 * directory tree, and the time to open a store of many resources. Gets read whole resources
 * ({@code ContentStore.readAll} against {@code Files.readAllBytes}).
 *
 * <pre>.ci/bench StoreThroughput [resources=256] [rounds=3] [storeSizeForOpen=100000]</pre>
 *
 * "reopened-first-get" reads every resource once from the store opened again, which hashes each
 * before handing it out (bytes can rot while a store is closed); "reopened-later-get" reads them
 * again, trusting that check.
 *
 * <p>Plain-file baselines: "plain" writes with {@code Files.write} and reads with
 * {@code Files.readAllBytes}; "plain+hash+fsync" also hashes with SHA-224 and forces the file
 * to disk, which is what the store does to never keep unverified or torn bytes.
 */
public final class StoreThroughput {
    private static final int MIB = 1 << 20;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int openSize = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        Path root = Files.createTempDirectory("swarmkeeper-storebench");
        try {
            byte[][] bodies = new byte[count][MIB];
            ResourceId[] ids = new ResourceId[count];
            Random random = new Random(42);
            for (int i = 0; i < count; i++) {
                random.nextBytes(bodies[i]);
                ids[i] = ResourceId.of(bodies[i]);
            }
            System.out.printf("%d resources of 1 MiB, %d rounds (MB/s, 10^6 bytes)%n", count, rounds);
            System.out.println("round  store-put  plain-put  plain+hash+fsync-put  store-get  plain-get"
                    + "  reopened-first-get  reopened-later-get");
            for (int round = 0; round < rounds; round++) {
                Path storeDir = root.resolve("store" + round);
                Path plainDir = root.resolve("plain" + round);
                Path syncedDir = root.resolve("synced" + round);
                Files.createDirectories(plainDir);
                Files.createDirectories(syncedDir);
                double storePut;
                double storeGet;
                try (ContentStore store = ContentStore.open(storeDir)) {
                    long t = System.nanoTime();
                    for (int i = 0; i < count; i++) {
                        store.put(ids[i], new ByteArrayInputStream(bodies[i]), "application/octet-stream", null);
                    }
                    storePut = rate(count, System.nanoTime() - t);
                    t = System.nanoTime();
                    long sum = 0;
                    for (int i = 0; i < count; i++) {
                        sum += store.readAll(ids[i]).orElseThrow().length;
                    }
                    storeGet = rate(count, System.nanoTime() - t);
                    check(sum, count);
                }
                // Reopened, the store hashes each resource on its first read (bytes can rot while
                // it is closed); later reads trust that check until the file changes.
                double firstGet;
                double laterGet;
                try (ContentStore store = ContentStore.open(storeDir)) {
                    long t = System.nanoTime();
                    long sum = 0;
                    for (int i = 0; i < count; i++) {
                        sum += store.readAll(ids[i]).orElseThrow().length;
                    }
                    firstGet = rate(count, System.nanoTime() - t);
                    check(sum, count);
                    t = System.nanoTime();
                    sum = 0;
                    for (int i = 0; i < count; i++) {
                        sum += store.readAll(ids[i]).orElseThrow().length;
                    }
                    laterGet = rate(count, System.nanoTime() - t);
                    check(sum, count);
                }
                long t = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    Files.write(plainDir.resolve(ids[i].key()), bodies[i]);
                }
                double plainPut = rate(count, System.nanoTime() - t);
                t = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    MessageDigest digest = ids[i].newDigest();
                    digest.update(bodies[i]);
                    if (!ids[i].matches(digest.digest())) {
                        throw new IllegalStateException("hash");
                    }
                    try (FileChannel out = FileChannel.open(syncedDir.resolve(ids[i].key()),
                            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        ByteBuffer b = ByteBuffer.wrap(bodies[i]);
                        while (b.hasRemaining()) {
                            out.write(b);
                        }
                        out.force(true);
                    }
                }
                double syncedPut = rate(count, System.nanoTime() - t);
                t = System.nanoTime();
                long sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += Files.readAllBytes(plainDir.resolve(ids[i].key())).length;
                }
                double plainGet = rate(count, System.nanoTime() - t);
                check(sum, count);
                System.out.printf("%5d  %9.0f  %9.0f  %20.0f  %9.0f  %9.0f  %18.0f  %18.0f%n", round + 1, storePut,
                        plainPut, syncedPut, storeGet, plainGet, firstGet, laterGet);
                delete(storeDir);
                delete(plainDir);
                delete(syncedDir);
            }
            if (openSize > 0) {
                measureOpen(root.resolve("large"), openSize);
            }
        } finally {
            delete(root);
        }
    }

    private static void measureOpen(Path dir, int size) throws Exception {
        long t = System.nanoTime();
        try (ContentStore store = ContentStore.open(dir)) {
            ByteBuffer body = ByteBuffer.allocate(64);
            for (int i = 0; i < size; i++) {
                body.clear();
                body.putInt(0, i);
                byte[] bytes = body.array().clone();
                store.put(ResourceId.of(bytes), new ByteArrayInputStream(bytes), "text/plain", "http://origin/" + i);
            }
        }
        System.out.printf("filled a store with %d resources of 64 bytes in %.1f s%n", size, (System.nanoTime() - t) / 1e9);
        List<Double> opens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            t = System.nanoTime();
            try (ContentStore store = ContentStore.open(dir)) {
                opens.add((System.nanoTime() - t) / 1e6);
                if (store.stats().resources() != size) {
                    throw new IllegalStateException("count");
                }
            }
        }
        System.out.println("open of a store of " + size + " resources (ms): " + format(opens));
        Files.writeString(dir.resolve("running"), "simulated crash\n");
        t = System.nanoTime();
        try (ContentStore store = ContentStore.open(dir)) {
            System.out.printf("open after a crash (reconciling files and records): %.0f ms%n", (System.nanoTime() - t) / 1e6);
        }
    }

    private static String format(List<Double> values) {
        return String.join(", ", values.stream().map(v -> String.format("%.0f", v)).toList());
    }

    private static double rate(int count, long nanos) {
        return count * (double) MIB / nanos * 1e9 / 1e6;
    }

    private static void check(long sum, int count) {
        if (sum != (long) count * MIB) {
            throw new IllegalStateException("read " + sum);
        }
    }

    private static void delete(Path dir) throws Exception {
        FileTrees.delete(dir);
    }
}
