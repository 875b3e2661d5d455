package io.swarmkeeper.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.manifest.SigningKey;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings file the window writes and {@code seed} reads: round trip, refusals in the CLI's words, other lines kept. */
class SettingsFileTest {
    @TempDir
    Path dir;

    private SeederSettings sample() {
        Site a = new Site("https://a.example/manifest.json", SigningKey.generate().publicKey());
        Site b = new Site("https://b.example/static/swarm.json?v=2", SigningKey.generate().publicKey());
        return new SeederSettings(URI.create("wss://signal.example.org/ws"), "t0ken with spaces", dir.resolve("my store"),
                10L << 30, 2_000_000, 7, 0, List.of("https://a.example/static/", "https://b.example/"), true,
                Duration.ofSeconds(90), List.of(a, b), true, true);
    }

    @Test
    void whatIsSavedIsReadBack() throws Exception {
        SettingsFile file = new SettingsFile(dir.resolve("conf").resolve(SettingsFile.FILE_NAME));
        assertFalse(file.exists());
        assertEquals(SeederSettings.defaults(), file.load(), "no file: the defaults");
        assertFalse(file.load().configured());

        SeederSettings settings = sample();
        file.save(settings);
        assertEquals(settings, file.load());
        assertTrue(file.load().configured());
        String text = Files.readString(file.path());
        assertTrue(text.contains("seed.quota=10GiB\n"), text);
        assertTrue(text.contains("seed.manifest-refresh=90s\n"), text);
        assertTrue(text.contains("seed.site.2.manifest=https://b.example/static/swarm.json?v=2\n"), text);
        assertTrue(text.contains("seed.site.1.trusted-key=" + settings.sites().get(0).trustedKeys().get(0).text() + "\n"), text);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file.path()),
                "it may hold the server token");
        try (var left = Files.list(file.path().getParent())) {
            assertEquals(List.of(file.path()), left.toList(), "no temporary file left beside it");
        }

        // A site removed: its keys go, the others are numbered again.
        file.save(settings.withoutSite(settings.sites().get(0).manifest()));
        String after = Files.readString(file.path());
        assertFalse(after.contains("a.example/manifest.json"), after);
        assertFalse(after.contains("seed.site.2."), after);
        assertEquals(List.of(settings.sites().get(1)), file.load().sites());
    }

    @Test
    void unknownKeysAndCommentsSurviveASave() throws Exception {
        Path path = dir.resolve(SettingsFile.FILE_NAME);
        String before = """
                # my seeder, by hand
                server.port=8765
                seed.upload-slots = 2
                ! another comment
                fetch.download-rate=1MB
                server.allowed-origin=https://a.example,\\
                    https://b.example
                seed.future-option=kept
                """;
        Files.writeString(path, before);
        SettingsFile file = new SettingsFile(path);
        SeederSettings read = file.load();
        assertEquals(2, read.uploadSlots());
        file.save(read.withUploads(500_000, 9));
        String after = Files.readString(path);
        for (String kept : List.of("# my seeder, by hand\n", "server.port=8765\n", "! another comment\n",
                "fetch.download-rate=1MB\n", "server.allowed-origin=https://a.example,\\\n    https://b.example\n",
                "seed.future-option=kept\n")) {
            assertTrue(after.contains(kept), "kept: " + kept + " in\n" + after);
        }
        assertTrue(after.indexOf("seed.upload-slots=9") < after.indexOf("! another comment"), "replaced where it stood:\n" + after);
        assertFalse(after.contains("upload-slots = 2"), after);
        assertEquals(9, file.load().uploadSlots());
        assertEquals(500_000, file.load().uploadRate());
    }

    @Test
    void badValuesAreRefusedInTheCommandLinesWordsNamingFileAndKey() throws Exception {
        Path path = dir.resolve("bad.properties");
        assertRefused(path, "seed.upload-slots=99\n", "seed.upload-slots",
                "--upload-slots (from configuration file " + path + ", key seed.upload-slots): upload slots must be 1..32, got 99");
        assertRefused(path, "seed.quota=lots\n", "seed.quota",
                "Invalid value for option '--quota' (from configuration file " + path
                        + ", key seed.quota): 'lots' is not a size (examples: 0, 1500000, 500MB, 10GiB)");
        assertRefused(path, "seed.manifest-refresh=10\n", "seed.manifest-refresh",
                "Invalid value for option '--manifest-refresh' (from configuration file " + path
                        + ", key seed.manifest-refresh): '10' needs a unit: ms, s, m, h or d (e.g. 10m)");
        assertRefused(path, "seed.upload-slots=four\n", "seed.upload-slots",
                "Invalid value for option '--upload-slots' (from configuration file " + path
                        + ", key seed.upload-slots): 'four' is not an int");
        assertRefused(path, "seed.demand-origin=ftp://x.example/\n", "seed.demand-origin",
                "--demand-origin ftp://x.example/ (from configuration file " + path
                        + ", key seed.demand-origin): must be an http or https URL, e.g. https://example.com/static/");
        assertRefused(path, "seed.server=http://signal.example.org\n", "seed.server",
                "--server http://signal.example.org (from configuration file " + path
                        + ", key seed.server): must be a ws:// or wss:// URL, e.g. wss://signal.example.org");
        assertRefused(path, "seed.site.3.manifest=https://a.example/m.json\nseed.site.3.trusted-key=ed25519:nope\n",
                "seed.site.3.trusted-key", "seed.site.3.trusted-key (from configuration file " + path
                        + ", key seed.site.3.trusted-key): an Ed25519 public key is 32 bytes, got 3");
        assertRefused(path, "seed.site.4.trusted-key=" + SigningKey.generate().publicKey().text() + "\n",
                "seed.site.4.trusted-key", "seed.site.4.trusted-key (from configuration file " + path
                        + ", key seed.site.4.trusted-key) belongs to no site: seed.site.4.manifest is missing");
        assertRefused(path, "desktop.start-on-login=sometimes\n", "desktop.start-on-login",
                "Invalid value for option 'desktop.start-on-login' (from configuration file " + path
                        + ", key desktop.start-on-login): 'sometimes' is not a boolean");
    }

    private static void assertRefused(Path path, String content, String key, String message) throws Exception {
        Files.writeString(path, content);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> new SettingsFile(path).load());
        assertEquals(message, e.getMessage());
        assertEquals(key, e.key());
    }

    @Test
    void anOlderFilesOneManifestIsTheFirstSite() throws Exception {
        SigningKey key = SigningKey.generate();
        Path path = Files.writeString(dir.resolve("old.properties"),
                "seed.manifest=/srv/site/manifest.json\nseed.trusted-key=" + key.publicKey().text() + "\n");
        SettingsFile file = new SettingsFile(path);
        SeederSettings read = file.load();
        assertEquals(List.of(new Site("/srv/site/manifest.json", key.publicKey())), read.sites());
        Site added = new Site("https://b.example/m.json", SigningKey.generate().publicKey());
        file.save(read.withSite(added));
        String text = Files.readString(path);
        assertFalse(text.contains("seed.manifest="), "written as the first site:\n" + text);
        assertEquals(List.of(read.sites().get(0), added), file.load().sites());
    }

    @Test
    void theFileIsWhereSeedLooksForIt() {
        Path explicit = dir.resolve("x.properties");
        assertEquals(new SettingsFile.Location(explicit, true), SettingsFile.locate(explicit, Map.of(), "Linux"));
        assertEquals(new SettingsFile.Location(Path.of("/etc/sk.properties"), true),
                SettingsFile.locate(null, Map.of("SWARMKEEPER_CONFIG", "/etc/sk.properties"), "Linux"));
        assertEquals(new SettingsFile.Location(Path.of("/x/conf/swarmkeeper/swarmkeeper.properties"), false),
                SettingsFile.locate(null, Map.of("XDG_CONFIG_HOME", "/x/conf"), "Linux"));
    }

    @Test
    void sizesAndDurationsAreWrittenSoTheyReadBack() {
        for (long n : new long[] {0, 1, 999, 1000, 1024, 1536, 8L << 20, 500_000_000, 10L << 30, 2_000_000_000_000L, 123_456_789}) {
            assertEquals(n, ByteCount.parse(ByteCount.format(n)), ByteCount.format(n));
        }
        assertEquals("8MiB", ByteCount.format(8L << 20));
        assertEquals("2MB", ByteCount.format(2_000_000));
        for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(90), Duration.ofMinutes(10),
                Duration.ofHours(36), Duration.ofDays(2))) {
            assertEquals(d, DurationText.parse(DurationText.format(d)), DurationText.format(d));
        }
    }
}
