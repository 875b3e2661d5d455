package io.swarmkeeper.gui.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.desktop.NoTray;
import io.swarmkeeper.desktop.XdgAutostart;
import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SeederSettings;
import io.swarmkeeper.settings.SettingsFile;
import io.swarmkeeper.settings.Site;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Settings view's model without a window or a seeder (the demo swarm runs): checks, save, what waits for a restart. */
class SettingsModelTest {
    @TempDir
    Path dir;

    @Test
    void checksFieldsAsSeedDoesAndSavesKeepingSitesAndOtherKeys() throws Exception {
        SettingsFile file = new SettingsFile(dir.resolve("swarmkeeper.properties"));
        Site site = new Site("https://a.example/manifest.json", SigningKey.generate().publicKey());
        file.save(SeederSettings.defaults().withSite(site));
        Files.writeString(file.path(), Files.readString(file.path()) + "fetch.download-rate=1MB\n");
        XdgAutostart autostart = new XdgAutostart(dir.resolve("autostart"));
        SettingsModel model = new SettingsModel(SavedSettings.load(file), null, autostart, new NoTray("this desktop has no system tray"));

        Map<SettingField, String> texts = new java.util.EnumMap<>(model.texts());
        assertEquals("4", texts.get(SettingField.UPLOAD_SLOTS));
        assertEquals("8MiB", texts.get(SettingField.SCRUB_RATE));
        assertEquals("", texts.get(SettingField.SERVER));
        assertTrue(model.problems(texts).isEmpty());

        texts.put(SettingField.SERVER, "https://signal.example.org");
        texts.put(SettingField.DEMAND_ORIGINS, "https://10.0.0.5/static/");
        assertEquals(Map.of(SettingField.SERVER, "--server https://signal.example.org (from the Settings window): must be a ws://"
                        + " or wss:// URL, e.g. wss://signal.example.org",
                SettingField.DEMAND_ORIGINS, "--demand-origin https://10.0.0.5/static/ (from the Settings window): 10.0.0.5 is a"
                        + " private address (10.0.0.0/8); demands from it are taken only with --allow-private-origins"),
                model.problems(texts));
        assertThrows(IllegalArgumentException.class, () -> model.save(texts));
        texts.put(SettingField.ALLOW_PRIVATE_ORIGINS, "true");
        assertNull(model.problem(SettingField.DEMAND_ORIGINS, texts), "allowed with private origins");

        texts.put(SettingField.SERVER, "wss://signal.example.org");
        texts.put(SettingField.STORE, dir.resolve("store").toString());
        texts.put(SettingField.UPLOAD_RATE, "1MB");
        texts.put(SettingField.MINIMISE_TO_TRAY, "true");
        SettingsModel.Saved saved = model.save(texts);
        assertEquals(List.of(), saved.appliedNow(), "no seeder runs: nothing to apply to");
        assertEquals(List.of("Signaling server", "Store folder", "Upload cap (per second)", "Demand origins",
                "Allow private origins"), saved.atNextStart());
        SeederSettings read = file.load();
        assertEquals(URI.create("wss://signal.example.org"), read.server());
        assertEquals(1_000_000, read.uploadRate());
        assertEquals(List.of(site), read.sites(), "the sites are kept");
        assertFalse(read.minimiseToTray(), "no tray: off whatever was asked");
        assertTrue(Files.readString(file.path()).contains("fetch.download-rate=1MB\n"));
        assertFalse(autostart.isEnabled());
    }
}
