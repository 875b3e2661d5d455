package io.swarmkeeper.gui.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.desktop.NoTray;
import io.swarmkeeper.desktop.XdgAutostart;
import io.swarmkeeper.gui.ExtraTab;
import io.swarmkeeper.gui.MainWindow;
import io.swarmkeeper.gui.about.AboutModel;
import io.swarmkeeper.gui.about.AboutView;
import io.swarmkeeper.gui.settings.SettingsModel;
import io.swarmkeeper.gui.settings.SettingsView;
import io.swarmkeeper.gui.sites.SitesModel;
import io.swarmkeeper.gui.sites.SitesView;
import io.swarmkeeper.gui.store.StoreModel;
import io.swarmkeeper.gui.store.StoreView;
import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SettingsFile;
import io.swarmkeeper.settings.Site;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.testing.ViewPng;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The owner's tabs in the window's shell as the app adds them while the demo swarm runs (no
 * seeder of the user's: sites and settings are saved for later), each rendered to
 * target/screenshots/tab-*.png for people to look at.
 */
@ExtendWith(ApplicationExtension.class)
class OwnerTabsTest {
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private ContentStore store;
    private MainWindow window;
    private SitesView sites;
    private StoreView storeView;

    @Start
    void start(Stage stage) throws Exception {
        Path dir = Files.createTempDirectory("owner-tabs-");
        SettingsFile file = new SettingsFile(dir.resolve("swarmkeeper.properties"));
        SavedSettings saved = SavedSettings.load(file);
        saved.update(s -> s.withSite(new Site("https://listing.example/manifest.json", SigningKey.generate().publicKey())));
        store = ContentStore.open(dir.resolve("store"), 50_000_000);
        byte[] photo = DemoOrigin.sampleBytes(5, 900_000);
        store.put(ResourceId.of(photo), new ByteArrayInputStream(photo), "image/jpeg", "https://listing.example/photo.jpg");
        sites = new SitesView(new SitesModel(saved, null), background);
        storeView = new StoreView(new StoreModel(store, Map::of), background);
        SettingsView settings = new SettingsView(new SettingsModel(saved, null, new XdgAutostart(dir.resolve("autostart")),
                new NoTray("this desktop has no system tray")), background);
        window = new MainWindow(new NodeMonitor(), List.of(new ExtraTab("Sites", sites.root()),
                new ExtraTab("Settings", settings.root()), new ExtraTab("Store", storeView.root()),
                new ExtraTab("About", new AboutView(new AboutModel()).root())));
        window.showBanner(MainWindow.DEMO_BANNER);
        stage.setScene(new Scene(window.root(), 1000, 700));
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> {
            sites.stop();
            storeView.stop();
        }).get();
        background.shutdownNow();
        background.awaitTermination(10, TimeUnit.SECONDS);
        store.close();
    }

    @Test
    void sitesSettingsStoreAndAboutSitAfterTheNodesViews(FxRobot robot) throws Exception {
        assertEquals(List.of("Overview", "Peers", "Transfers", "Hash checks", "Swarm", "Sites", "Settings", "Store", "About"),
                window.tabs().stream().map(t -> t.getText()).toList());
        for (String title : List.of("Sites", "Settings", "Store", "About")) {
            robot.clickOn("#tab-" + title.toLowerCase(java.util.Locale.ROOT));
            WaitForAsyncUtils.waitForFxEvents();
            if (title.equals("Store")) {
                WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS,
                        () -> robot.lookup("#store-usage").queryAs(Label.class).getText().contains("1 resource,"));
            }
            WaitForAsyncUtils.asyncFx(() -> ViewPng.save(window.root().getScene(), "tab-" + title.toLowerCase(java.util.Locale.ROOT)))
                    .get();
        }
        assertTrue(robot.lookup("#problem-desktop-minimise-to-tray").queryAs(Label.class).getText()
                .contains("this desktop has no system tray"));
    }
}
