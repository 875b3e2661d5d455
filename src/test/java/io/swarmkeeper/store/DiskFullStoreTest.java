package io.swarmkeeper.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.testing.SwarmkeeperProcess;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a real full disk: a 16 MiB tmpfs that only a child JVM sees (its own mount
 * namespace), filled until the kernel says ENOSPC, then emptied. The steps run in that JVM
 * ({@link DiskFullProbe}); this test checks that each of them passed.
 */
class DiskFullStoreTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskStopsNewResourcesKeepsReadsAndTheStoreRecoversWithItsDatabase() throws Exception {
        Path disk = Files.createDirectories(dir.resolve("small-disk"));
        SwarmkeeperProcess.Result probe = SwarmkeeperProcess.startOnSmallDisk(disk, 16L << 20, DiskFullProbe.class,
                disk.toString()).finish();
        assertEquals(0, probe.exitCode(), "stdout: " + probe.stdout() + "\nstderr: " + probe.stderr());
        for (String step : new String[] {"quota capped to", "disk filled", "database write failed",
                "disk-full state: full: its database could not write", "still reading", "new resource refused",
                "room again", "database works again", "all steps passed"}) {
            assertTrue(probe.stdout().contains(step), "step \"" + step + "\" in: " + probe.stdout());
        }
        try (var left = Files.list(disk)) {
            assertEquals(0, left.count(), "nothing was written outside the small disk");
        }
    }

    @Test
    void aQuotaLargerThanTheDiskIsCutToWhatTheDiskHolds() throws Exception {
        long total = Files.getFileStore(dir).getTotalSpace();
        try (ContentStore store = ContentStore.open(dir, Long.MAX_VALUE / 2)) {
            assertTrue(store.quota() > 0 && store.quota() < total, "capped: " + store.quota());
            byte[] body = ContentStoreTest.randomBytes(1000);
            store.put(io.swarmkeeper.content.ResourceId.of(body), new ByteArrayInputStream(body), null, null);
        }
        try (ContentStore store = ContentStore.open(dir, 10_000)) {
            assertEquals(10_000, store.quota(), "a quota the disk can give is kept");
        }
    }
}
