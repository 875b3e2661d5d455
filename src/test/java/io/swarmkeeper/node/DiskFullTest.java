package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.Swarm;
import io.swarmkeeper.testing.SwarmkeeperProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code seed} command on a disk that fills up: a 16 MiB file system of its own (a
 * tmpfs in a mount namespace only the seeder's process has), filled from this JVM by another
 * "program" while the seeder runs, then emptied again.
 */
@Timeout(180)
class DiskFullTest {
    private static final long SMALL_DISK = 16L << 20;

    @TempDir
    Path dir;

    private Swarm swarm;
    private SwarmkeeperProcess seeder;

    @AfterEach
    void stop() throws Exception {
        if (seeder != null) {
            seeder.stop();
        }
        if (swarm != null) {
            swarm.close();
        }
    }

    @Test
    void aFullDiskStopsNewDownloadsKeepsServingSaysSoAndRecovers() throws Exception {
        swarm = Swarm.start();
        ResourceId a = swarm.publish("a.bin", DemoOrigin.sampleBytes(61, 400_000));
        ResourceId b = swarm.publish("b.bin", DemoOrigin.sampleBytes(62, 400_000));
        ResourceId c = swarm.publish("c.bin", DemoOrigin.sampleBytes(63, 400_000));
        Path manifest = Files.writeString(dir.resolve("manifest.json"), "{\"resources\":[{\"url\":\""
                + swarm.origin().url("a.bin") + "\",\"hash\":\"" + a.text() + "\"}]}");
        Path disk = Files.createDirectories(dir.resolve("small-disk"));
        Path store = disk.resolve("store");

        seeder = SwarmkeeperProcess.startOnSmallDisk(disk, SMALL_DISK, "seed", "--server", swarm.serverUri().toString(),
                "--store", store.toString(), "--manifest", manifest.toString(), "--quota", "1GiB",
                "--demand-origin", swarm.origin().base() + "/", "--allow-private-origins");
        String capped = seeder.awaitStderr("--quota 1073741824 is more than the disk of " + store + " can hold");
        long within = Long.parseLong(capped.replaceAll(".*keeping the store within (\\d+) bytes.*", "$1"));
        assertTrue(within > 0 && within < SMALL_DISK, "capped to what the disk holds: " + capped);
        String seeding = seeder.awaitStdout("seeding 1 resources as peer ");
        String seederId = seeding.replaceAll(".* as peer (\\S+) on .*", "$1");
        swarm.awaitHolderOf(a);

        // Another program fills the disk, through the seeder's own view of it.
        long ballast = fill(seeder.seenFromHere(disk.resolve("ballast")));
        assertTrue(ballast > 8L << 20, "the disk was filled: " + ballast + " bytes");

        // The swarm wants b: the seeder is asked to take it, and does not, saying why.
        LeecherPeer first = swarm.leecher();
        assertEquals("origin", first.fetch(b, "b.bin").source());
        seeder.awaitStderr("store disk full");
        seeder.awaitStderr("not taking " + b.shortForm() + " on demand: the store's disk is full");
        assertFalse(swarm.server().holds(seederId, b));

        // What it holds it still serves.
        LeecherPeer second = swarm.leecher();
        assertEquals("peer:" + seederId, second.fetch(a).source(), "served while the disk is full");

        // Room again: the seeder notices by itself, and takes what the swarm asks for again.
        Files.delete(seeder.seenFromHere(disk.resolve("ballast")));
        seeder.awaitStderr("store disk has room again");
        LeecherPeer third = swarm.leecher();
        assertEquals("origin", third.fetch(c, "c.bin").source());
        Poll.until(Duration.ofSeconds(30), "the seeder to take c on demand", () -> swarm.server().holds(seederId, c));
        LeecherPeer fourth = swarm.leecher();
        assertEquals("peer:" + seederId, fourth.fetch(c).source(), "stored, recorded and served after the full disk");

        int code = seeder.terminate(Duration.ofSeconds(20));
        assertTrue(code == 143 || code == 0, "stopped by SIGTERM, not killed: exit " + code);
    }

    /** Writes zeros to {@code file} until the disk refuses; returns how many were written. */
    private static long fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("No space left on device"), e.toString());
        }
        return written;
    }
}
