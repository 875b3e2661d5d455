package io.swarmkeeper.gui.sites;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SettingsFile;
import io.swarmkeeper.settings.Site;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Swarm;
import io.swarmkeeper.testing.TableRows;
import io.swarmkeeper.testing.ViewPng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Sites view over a real seeder in a real in-process swarm (WebRTC: in the test namespace):
 * a site added from the form is fetched, verified and announced, served to a leecher, and
 * written to the settings file; removed, it is no longer announced.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(120)
class SitesViewTest {
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private Swarm swarm;
    private Seeder seeder;
    private SettingsFile file;
    private SitesView view;

    @Start
    void start(Stage stage) throws Exception {
        swarm = Swarm.start();
        Path dir = Files.createTempDirectory("sites-view-");
        seeder = Seeder.builder(swarm.serverUri(), dir.resolve("store"))
                .originAddresses(AddressPolicy.PRIVATE_ALLOWED) // the swarm's origin is on loopback
                .start();
        file = new SettingsFile(dir.resolve("swarmkeeper.properties"));
        view = new SitesView(new SitesModel(SavedSettings.load(file), seeder), background);
        stage.setScene(new Scene(view.root(), 1000, 480));
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(view::stop).get();
        background.shutdownNow();
        background.awaitTermination(10, TimeUnit.SECONDS);
        seeder.close();
        swarm.close();
    }

    @Test
    void aSiteAddedFromTheViewIsFetchedAnnouncedAndSavedAndRemovedAgain(FxRobot robot) throws Exception {
        byte[] photo = DemoOrigin.sampleBytes(91, 400_000);
        ResourceId listing = swarm.publish("listing.json", DemoOrigin.sampleBytes(90, 50_000));
        ResourceId photoId = swarm.publish("photo.jpg", photo);
        SigningKey site = SigningKey.generate();
        swarm.origin().signWith(site);
        String manifest = swarm.origin().manifestUrl().toString();
        TableView<?> table = robot.lookup("#sites-table").queryAs(TableView.class);
        assertTrue(table.getItems().isEmpty());

        robot.clickOn("#site-manifest").write(manifest);
        robot.clickOn("#site-key").write("ed25519:nope");
        assertEquals("trusted key: an Ed25519 public key is 32 bytes, got 3", text(robot, "#site-key-problem"));
        assertEquals("", text(robot, "#site-manifest-problem"));
        robot.clickOn("#site-add");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(seeder.siteReports().isEmpty(), "a refused key adds nothing");

        robot.interact(() -> robot.lookup("#site-key").queryAs(TextField.class).clear());
        robot.clickOn("#site-key").write(site.publicKey().text());
        assertEquals("", text(robot, "#site-key-problem"));
        robot.clickOn("#site-add");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> table.getItems().size() == 1
                && ((SitesModel.Row) table.getItems().get(0)).resources().equals("2 / 2"));
        SitesModel.Row row = (SitesModel.Row) table.getItems().get(0);
        assertEquals(manifest, row.manifest());
        assertEquals(SitesModel.shortKey(site.publicKey()), row.signedBy());
        assertEquals("", row.error());
        assertTrue(text(robot, "#site-status").startsWith("Seeding " + manifest + ": 2 resources, 2 fetched"),
                text(robot, "#site-status"));
        assertTrue(swarm.server().holds(seeder.peerId(), listing) && swarm.server().holds(seeder.peerId(), photoId),
                "announced");
        assertEquals(List.of(new Site(manifest, site.publicKey())), file.load().sites(), "written to the settings file");

        // Peers get it from this seeder: the website no longer serves it.
        swarm.origin().withhold("photo.jpg");
        LeecherPeer leecher = swarm.leecher();
        FetchResult got = leecher.fetch(photoId);
        assertEquals("peer:" + seeder.peerId(), got.source());
        assertArrayEquals(photo, leecher.store().readAll(photoId).orElseThrow());
        WaitForAsyncUtils.asyncFx(() -> ViewPng.save(table.getScene(), "sites")).get();

        // The row is selected (Remove is enabled only then) before Remove is clicked.
        assertTrue(TableRows.select(robot, table, 0), "the site's row selected");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> table.getSelectionModel().getSelectedItem() != null
                && !robot.lookup("#site-remove").query().isDisabled());
        robot.clickOn("#site-remove");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!table.getItems().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertTrue(table.getItems().isEmpty(), "the site removed; the view says: " + text(robot, "#site-status"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> swarm.server().holderCount(photoId) == 0);
        assertTrue(seeder.store().contains(photoId), "kept until evicted");
        assertTrue(file.load().sites().isEmpty());
        assertFalse(Files.readString(file.path()).contains("seed.site."));
    }

    private static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }
}
