package io.swarmkeeper.gui.sites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SettingsFile;
import io.swarmkeeper.settings.Site;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Sites view's model while no seeder runs (the window shows the demo swarm): sites are checked and saved for later. */
class SitesModelTest {
    @TempDir
    Path dir;

    @Test
    void withoutASeederSitesAreCheckedAndSavedForLater() throws Exception {
        SettingsFile file = new SettingsFile(dir.resolve("swarmkeeper.properties"));
        SitesModel model = new SitesModel(SavedSettings.load(file), null);
        SigningKey key = SigningKey.generate();

        assertEquals(new SitesModel.Check("manifest ftp://a.example/m.json: a manifest is an http(s) URL or a file",
                "trusted key: not an origin key: expected ed25519:<base64>, got \"AAAA\""), model.check("ftp://a.example/m.json", "AAAA"));
        assertTrue(model.check("https://a.example/m.json", key.publicKey().text()).ok());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> model.add("https://a.example/m.json", "AAAA"));
        assertEquals("trusted key: not an origin key: expected ed25519:<base64>, got \"AAAA\"", refused.getMessage());

        assertEquals("Saved https://a.example/m.json: it is seeded once the seeder runs.",
                model.add(" https://a.example/m.json ", key.publicKey().text()));
        assertEquals(List.of(new Site("https://a.example/m.json", key.publicKey())), file.load().sites());
        assertThrows(IllegalArgumentException.class, () -> model.add("https://a.example/m.json", key.publicKey().text()));
        assertEquals(List.of(new SitesModel.Row("https://a.example/m.json", SitesModel.shortKey(key.publicKey()), "–", "never",
                "not seeded yet: the demo swarm runs")), model.rows());
        assertEquals("Nothing to refresh: no seeder runs.", model.refreshNow());

        model.remove("https://a.example/m.json");
        assertTrue(model.rows().isEmpty());
        assertTrue(file.load().sites().isEmpty());
        assertNull(model.check("/srv/site/manifest.json", key.publicKey().text()).manifestProblem(), "a file is a manifest too");
    }
}
