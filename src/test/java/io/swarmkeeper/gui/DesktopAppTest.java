package io.swarmkeeper.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.manifest.SigningKey;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Swarm;
import io.swarmkeeper.testing.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The desktop app as a user starts it (headless, in the test namespace): without settings it is
 * the demo swarm's window with its banner; a second launch brings the first window forward; with
 * a settings file naming a signaling server, a store and a site, it is the user's own seeder,
 * which fetches the site and serves it to peers.
 */
@Timeout(180)
class DesktopAppTest {
    @TempDir
    Path home;
    private Map<String, String> environment;
    private Stage stage;
    private Application app;

    @BeforeEach
    void desktop() throws Exception {
        TestNetwork.requireIsolatedOrAllowed();
        environment = Map.of("HOME", home.toString(),
                "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_STATE_HOME", home.resolve("state").toString());
        stage = FxToolkit.registerPrimaryStage();
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            FxToolkit.cleanupApplication(app);
        }
        FxToolkit.cleanupStages();
    }

    private void start(boolean demo) throws Exception {
        assertFalse(SwarmkeeperApp.prepare(null, demo, home.resolve("demo-store"), environment, "Linux"),
                "the first launch is the instance");
        app = FxToolkit.setupApplication(SwarmkeeperApp::new);
    }

    /** Waits until the label {@code id} starts with {@code prefix}; fails saying what it showed. */
    private static void awaitText(FxRobot robot, String id, String prefix, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String text = null;
        while (System.nanoTime() < end) {
            text = robot.lookup(id).queryAs(Label.class).getText();
            if (text != null && text.startsWith(prefix)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " never started with \"" + prefix + "\": it shows \"" + text + "\"; problems: "
                + robot.lookup(n -> n.getId() != null && n.getId().startsWith("problem-")).queryAllAs(Label.class).stream()
                        .map(Label::getText).filter(t -> t != null && !t.isEmpty()).toList());
    }

    /** The tabs' titles, read on the FX thread: the window adds its tabs there while a test waits for them. */
    private List<String> tabTitles(FxRobot robot) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#views").queryAs(TabPane.class).getTabs().stream()
                .map(Tab::getText).toList()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void withoutSettingsItIsTheDemoSwarmAndASecondLaunchBringsItForward() throws Exception {
        start(false);
        FxRobot robot = new FxRobot();
        Label banner = robot.lookup("#banner").queryAs(Label.class);
        assertEquals(MainWindow.DEMO_BANNER, banner.getText());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> robot.lookup("#overview-signaling")
                .queryAs(Label.class).getText().startsWith("Connected to"));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> tabTitles(robot).contains("About"));
        assertEquals(List.of("Overview", "Peers", "Transfers", "Hash checks", "Swarm", "Sites", "Settings", "Store", "About"),
                tabTitles(robot));
        assertTrue(Files.isRegularFile(home.resolve("state/swarmkeeper/swarmkeeper.log")), "the log file in its place");

        // The user closes it to the taskbar; launching Swarmkeeper again shows this window.
        robot.interact(() -> {
            stage.setIconified(true);
            stage.hide();
        });
        assertTrue(SwarmkeeperApp.prepare(null, false, home.resolve("demo-store-2"), environment, "Linux"),
                "a second launch is not an instance of its own");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> stage.isShowing() && !stage.isIconified());
    }

    @Test
    void withSettingsItIsTheUsersSeederWhichSeedsTheirSite() throws Exception {
        try (Swarm swarm = Swarm.start()) {
            byte[] photo = DemoOrigin.sampleBytes(41, 300_000);
            ResourceId photoId = swarm.publish("photo.jpg", photo);
            SigningKey key = SigningKey.generate();
            swarm.origin().signWith(key);
            Path config = home.resolve("config/swarmkeeper");
            Files.createDirectories(config);
            Files.writeString(config.resolve("swarmkeeper.properties"), String.join("\n",
                    "seed.server=" + swarm.serverUri(),
                    "seed.store=" + home.resolve("my-store"),
                    "seed.allow-private-origins=true",
                    "seed.site.1.manifest=" + swarm.origin().manifestUrl(),
                    "seed.site.1.trusted-key=" + key.publicKey().text(), ""));
            start(false);
            FxRobot robot = new FxRobot();
            assertFalse(robot.lookup("#banner-bar").query().isVisible(), "no demo banner over the user's own seeder");
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> robot.lookup("#overview-signaling")
                    .queryAs(Label.class).getText().startsWith("Connected to " + swarm.serverUri()));
            swarm.awaitHolderOf(photoId);

            swarm.origin().withhold("photo.jpg"); // from now on only the user's seeder has it
            LeecherPeer leecher = swarm.leecher();
            FetchResult got = leecher.fetch(photoId);
            assertTrue(got.source().startsWith("peer:"), got.source());
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> tabTitles(robot).contains("Sites"));
        }
    }

    @Test
    void aNewUserSetsUpTheirSeederFromTheWindowAndTheDemoMakesWayForIt() throws Exception {
        try (Swarm swarm = Swarm.start()) {
            byte[] photo = DemoOrigin.sampleBytes(43, 200_000);
            ResourceId photoId = swarm.publish("photo.jpg", photo);
            SigningKey key = SigningKey.generate();
            swarm.origin().signWith(key);
            start(false);
            FxRobot robot = new FxRobot();
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> tabTitles(robot).contains("Settings"));
            assertEquals(MainWindow.DEMO_BANNER, robot.lookup("#banner").queryAs(Label.class).getText());

            robot.interact(() -> robot.lookup("#views").queryAs(TabPane.class).getSelectionModel().select(6)); // Settings
            robot.clickOn("#setting-seed-server").write(swarm.serverUri().toString());
            robot.clickOn("#setting-seed-store").write(home.resolve("my-store").toString());
            robot.clickOn("#setting-seed-allow-private-origins"); // the test's website is on loopback
            robot.clickOn("#settings-save");

            // A server and a store are enough to seed: the demo makes way for the user's seeder,
            // which connects to their server; its Sites tab then adds their site to it.
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> robot.lookup("#overview-signaling")
                    .queryAs(Label.class).getText().startsWith("Connected to " + swarm.serverUri()));
            assertEquals("Swarmkeeper", stage.getTitle());
            assertFalse(robot.lookup("#banner-bar").query().isVisible());
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> tabTitles(robot).containsAll(List.of("Sites", "Store")));
            robot.interact(() -> robot.lookup("#views").queryAs(TabPane.class).getSelectionModel().select(5)); // Sites
            robot.clickOn("#site-manifest").write(swarm.origin().manifestUrl().toString());
            robot.clickOn("#site-key").write(key.publicKey().text());
            robot.clickOn("#site-add");
            awaitText(robot, "#site-status", "Seeding", 30);
            swarm.awaitHolderOf(photoId);
            swarm.origin().withhold("photo.jpg"); // from now on only the user's seeder has it
            FetchResult got = swarm.leecher().fetch(photoId);
            assertTrue(got.source().startsWith("peer:"), got.source());
        }
    }
}
