package io.swarmkeeper.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssemblyFileTest {
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] slice(byte[] all, int from, int length) {
        return Arrays.copyOfRange(all, from, from + length);
    }

    private static byte[] readAll(VerifiedFile f) throws Exception {
        try (InputStream in = f.open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void bytesInOrderAreHashedAsTheyComeSoVerifyHasNothingLeftToRead() throws Exception {
        byte[] content = random(5 * CHUNK + 123, 1);
        ResourceId id = ResourceId.of(content);
        try (AssemblyFile file = AssemblyFile.create(id, content.length, dir)) {
            for (int at = 0; at < content.length; at += CHUNK) {
                file.write(at, slice(content, at, Math.min(CHUNK, content.length - at)));
            }
            assertEquals(content.length, file.hashedPrefix());
            assertArrayEquals(content, readAll(file.verify("test")));
        }
    }

    @Test
    void rangesAheadOfTheGapAreHashedOnceItFillsInAnyOrderAndFromSeveralThreads() throws Exception {
        byte[] content = random(40 * CHUNK + 7, 2);
        for (String kind : List.of("sha224", "mt256")) {
            ResourceId id = kind.equals("sha224") ? ResourceId.of(content) : ResourceId.of(HashAlgorithm.MERKLE_SHA256, content);
            List<Integer> starts = new ArrayList<>();
            for (int at = 0; at < content.length; at += CHUNK) {
                starts.add(at);
            }
            Collections.shuffle(starts, new Random(3));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (AssemblyFile file = AssemblyFile.create(id, content.length, dir)) {
                List<Future<?>> writes = new ArrayList<>();
                for (int at : starts) {
                    writes.add(pool.submit(() -> {
                        file.write(at, slice(content, at, Math.min(CHUNK, content.length - at)));
                        return null;
                    }));
                }
                for (Future<?> w : writes) {
                    w.get();
                }
                assertEquals(content.length, file.hashedPrefix(), kind);
                assertArrayEquals(content, readAll(file.verify("test")), kind);
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aRangeWrittenAgainAfterItWasHashedVoidsTheRunningHashAndTheFileAsItStandsDecides() throws Exception {
        byte[] content = random(4 * CHUNK, 4);
        ResourceId id = ResourceId.of(content);
        byte[] lie = random(CHUNK, 5);
        try (AssemblyFile file = AssemblyFile.create(id, content.length, dir)) {
            file.write(0, lie); // a liar's range, hashed at once
            file.write(CHUNK, slice(content, CHUNK, 3 * CHUNK));
            file.write(0, slice(content, 0, CHUNK)); // fetched again from an honest holder
            assertEquals(-1, file.hashedPrefix());
            assertArrayEquals(content, readAll(file.verify("test")));
        }
    }

    @Test
    void bytesRewrittenAheadOfThePrefixAreHashedAsTheyFinallyStand() throws Exception {
        byte[] content = random(3 * CHUNK, 6);
        ResourceId id = ResourceId.of(content);
        try (AssemblyFile file = AssemblyFile.create(id, content.length, dir)) {
            file.write(2 * CHUNK, random(CHUNK, 7)); // bad bytes ahead
            file.write(CHUNK + CHUNK / 2, slice(content, CHUNK + CHUNK / 2, CHUNK + CHUNK / 2)); // replaced, overlapping
            file.write(CHUNK, slice(content, CHUNK, CHUNK / 2));
            file.write(0, slice(content, 0, CHUNK));
            assertEquals(content.length, file.hashedPrefix());
            assertArrayEquals(content, readAll(file.verify("test")));
        }
    }

    @Test
    void wrongBytesFailTheHashAndStayForComparison() throws Exception {
        byte[] content = random(2 * CHUNK, 8);
        ResourceId id = ResourceId.of(content);
        try (AssemblyFile file = AssemblyFile.create(id, content.length, dir)) {
            byte[] bad = slice(content, 0, CHUNK);
            bad[100] ^= 1;
            file.write(0, bad);
            file.write(CHUNK, slice(content, CHUNK, CHUNK));
            assertThrows(HashMismatchException.class, () -> file.verify("test"));
            assertArrayEquals(bad, file.read(0, CHUNK), "kept for the comparison with a good copy");
        }
    }
}
