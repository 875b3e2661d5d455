package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.settings.InvalidSettingException;
import io.swarmkeeper.settings.SeederSettings;
import io.swarmkeeper.settings.SettingsFile;
import io.swarmkeeper.settings.Site;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code seed} and the window share one settings file: what the window's settings write, seed
 * reads as the same settings (parsed by picocli with the file as its defaults, as {@code Main}
 * does, without starting the seeder), and a bad value gets the same message from both.
 */
class SeedSettingsTest {
    @TempDir
    Path dir;

    /** The command line as Main sets it up for {@code args}, parsed; the seed command's settings. */
    private static SeedCommand parsed(Map<String, String> env, String... args) throws Exception {
        CommandLine cli = Main.commandLine();
        cli.setDefaultValueProvider(ConfigDefaults.load(args, env));
        CommandLine.ParseResult result = cli.parseArgs(args);
        return (SeedCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void seedReadsWhatTheSettingsWrote() throws Exception {
        Path config = dir.resolve("swarmkeeper.properties");
        SeederSettings written = new SeederSettings(URI.create("ws://127.0.0.1:8765"), "secret", dir.resolve("store"),
                500_000_000, 1L << 20, 6, 4L << 20, List.of("https://a.example/static/"), true, Duration.ofMinutes(2),
                List.of(new Site("https://a.example/manifest.json", SigningKey.generate().publicKey()),
                        new Site(dir.resolve("b.json").toString(), SigningKey.generate().publicKey())),
                false, false);
        new SettingsFile(config).save(written);

        SeederSettings read = parsed(Map.of(), "seed", "--config", config.toString()).settings();
        assertEquals(written, read);

        // Through $SWARMKEEPER_CONFIG too; and a flag still wins over the file.
        SeederSettings flagged = parsed(Map.of("SWARMKEEPER_CONFIG", config.toString()), "seed", "--upload-slots", "2").settings();
        assertEquals(written.withUploads(written.uploadRate(), 2), flagged);
    }

    @Test
    void sitesGivenOnTheCommandLineReplaceTheFilesAndManifestStillWorks() throws Exception {
        Path config = dir.resolve("swarmkeeper.properties");
        SigningKey key = SigningKey.generate();
        new SettingsFile(config).save(SeederSettings.defaults().withServer(URI.create("ws://127.0.0.1:1"), null)
                .withStore(dir.resolve("s"), 0).withSite(new Site("https://file.example/m.json", key.publicKey())));
        SigningKey other = SigningKey.generate();
        SeederSettings read = parsed(Map.of(), "seed", "--config", config.toString(), "--manifest", "/srv/m.json",
                "--trusted-key", key.publicKey().text(), "--site", "https://b.example/m.json", other.publicKey().text(),
                "--site", "https://c.example/m.json", key.publicKey().text()).settings();
        assertEquals(List.of(new Site("/srv/m.json", key.publicKey()), new Site("https://b.example/m.json", other.publicKey()),
                new Site("https://c.example/m.json", key.publicKey())), read.sites());
    }

    @Test
    void aBadValueInTheFileGetsTheSameMessageFromSeedAndFromTheSettings() throws Exception {
        Path config = dir.resolve("swarmkeeper.properties");
        for (String line : List.of("seed.upload-slots=0", "seed.quota=lots", "seed.manifest-refresh=5",
                "seed.demand-origin=https://user@a.example/", "seed.site.1.manifest=ftp://a.example/m.json")) {
            Files.writeString(config, "seed.server=ws://127.0.0.1:1\nseed.store=" + dir.resolve("s") + "\n" + line + "\n");
            InvalidSettingException fromSettings = Assertions.assertThrows(InvalidSettingException.class,
                    () -> new SettingsFile(config).load());
            String[] args = {"seed", "--config", config.toString()};
            CommandLine cli = Main.commandLine();
            cli.setDefaultValueProvider(ConfigDefaults.load(args, Map.of()));
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            cli.getSubcommands().get("seed").setErr(new PrintWriter(err));
            assertEquals(2, cli.execute(args), line + ": " + err);
            assertTrue(err.toString().startsWith(fromSettings.getMessage() + System.lineSeparator()),
                    "seed said: " + err + "\nthe settings said: " + fromSettings.getMessage());
            assertTrue(fromSettings.getMessage().contains("configuration file " + config + ", key "), fromSettings.getMessage());
        }
    }
}
