package io.swarmkeeper.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifiedFileTest {
    @TempDir
    Path dir;

    @Test
    void goodBytesVerifyAndMoveIntoPlace() throws IOException {
        byte[] body = "hello, swarm".getBytes();
        ResourceId id = ResourceId.of(body);
        Path target = dir.resolve("out.bin");
        try (VerifiedFile file = VerifiedFile.stage(id, dir)) {
            file.write(body, 0, body.length);
            file.verify("in a test");
            file.moveTo(target);
        }
        assertArrayEquals(body, Files.readAllBytes(target));
        assertEquals(1, countFiles(), "only the target is left");
    }

    @Test
    void badBytesAreDeletedAndNamedWithBothHashes() throws IOException {
        ResourceId id = ResourceId.of("the real thing".getBytes());
        byte[] lie = "something else".getBytes();
        try (VerifiedFile file = VerifiedFile.stage(id, dir)) {
            file.write(lie, 0, lie.length);
            HashMismatchException e = assertThrows(HashMismatchException.class, () -> file.verify("from a liar"));
            assertTrue(e.getMessage().contains(id.text()));
            assertTrue(e.getMessage().contains(ResourceId.of(lie).text()));
            assertFalse(file.isVerified());
            assertThrows(IllegalStateException.class, file::open);
            assertThrows(IllegalStateException.class, () -> file.moveTo(dir.resolve("never")));
        }
        assertEquals(0, countFiles(), "nothing unverified is left behind");
    }

    @Test
    void unfinishedFilesVanishOnClose() throws IOException {
        try (VerifiedFile file = VerifiedFile.stage(ResourceId.of(new byte[0]), dir)) {
            file.write(new byte[10], 0, 10);
        }
        assertEquals(0, countFiles());
    }

    private long countFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
