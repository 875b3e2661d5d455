package io.swarmkeeper.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The app's log file: where each platform keeps logs, what the loggers write, and rotation by size. */
class DesktopLogTest {
    private static final String HOME = System.getProperty("user.home");

    @TempDir
    Path dir;

    @Test
    void livesWhereEachPlatformKeepsLogs() {
        assertEquals(Path.of(HOME, ".local", "state", "swarmkeeper"), DesktopLog.defaultDirectory(Map.of(), "Linux"));
        assertEquals(Path.of("/s", "swarmkeeper"), DesktopLog.defaultDirectory(Map.of("XDG_STATE_HOME", "/s"), "Linux"));
        assertEquals(Path.of(HOME, "Library", "Logs", "Swarmkeeper"), DesktopLog.defaultDirectory(Map.of(), "Mac OS X"));
        assertEquals(Path.of("C:/Users/a/AppData/Local", "Swarmkeeper", "logs"),
                DesktopLog.defaultDirectory(Map.of("LOCALAPPDATA", "C:/Users/a/AppData/Local"), "Windows 11"));
    }

    @Test
    void whatTheLoggersWriteLandsInTheFile() throws Exception {
        try (DesktopLog log = DesktopLog.start(dir)) {
            LoggerFactory.getLogger(DesktopLogTest.class).warn("seeding 3 sites as peer k3v9q2mx7a");
            System.err.println("an uncaught exception's trace would go here");
            assertEquals(dir.resolve("swarmkeeper.log"), log.file());
        }
        String text = Files.readString(dir.resolve("swarmkeeper.log"));
        assertTrue(text.contains("[WARN] DesktopLogTest - seeding 3 sites as peer k3v9q2mx7a"), text);
        assertTrue(text.contains("an uncaught exception's trace would go here"), text);
        System.err.println("after close: not in the file");
        assertFalse(Files.readString(dir.resolve("swarmkeeper.log")).contains("after close"));
    }

    @Test
    void rotatesBySizeKeepingSoManyFiles() throws Exception {
        Path file = dir.resolve("swarmkeeper.log");
        try (RotatingFileOutput out = new RotatingFileOutput(file, 100, 3)) {
            for (int i = 0; i < 20; i++) {
                out.write(String.format("line %02d ---------------------------\n", i).getBytes()); // 36 bytes
            }
        }
        // 2 lines a file (72 bytes; a third would pass 100): 20 lines make 10 files, of which 3 are kept.
        assertEquals("line 18 ---------------------------\nline 19 ---------------------------\n", Files.readString(file));
        assertTrue(Files.readString(dir.resolve("swarmkeeper.log.1")).startsWith("line 16"));
        assertTrue(Files.readString(dir.resolve("swarmkeeper.log.2")).startsWith("line 14"));
        assertFalse(Files.exists(dir.resolve("swarmkeeper.log.3")));
        try (var files = Files.list(dir)) {
            assertEquals(3, files.count());
        }
        // Appends to what it finds.
        try (RotatingFileOutput out = new RotatingFileOutput(file, 100, 3)) {
            out.write("x\n".getBytes());
        }
        assertTrue(Files.readString(file).endsWith("line 19 ---------------------------\nx\n"));
    }
}
