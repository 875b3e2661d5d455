package io.swarmkeeper.gui.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.desktop.Autostart;
import io.swarmkeeper.desktop.Tray;
import io.swarmkeeper.desktop.XdgAutostart;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SettingsFile;
import io.swarmkeeper.testing.DownloadRate;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Swarm;
import io.swarmkeeper.testing.ViewPng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
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
 * The Settings view over a real seeder in a real in-process swarm (WebRTC: in the test
 * namespace): a bad value is refused beside its field in the command line's words; a lower
 * upload cap saved from the view is applied to the running seeder, and the rate a leecher
 * measures drops; start on login writes its file; without a tray, "minimise to tray" says why.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(150)
class SettingsViewTest {
    private static final int SIZE = 3 << 20;
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private Swarm swarm;
    private Seeder seeder;
    private SettingsFile file;
    private Autostart autostart;
    private ResourceId big;

    @Start
    void start(Stage stage) throws Exception {
        swarm = Swarm.start();
        big = swarm.publish("big.bin", DemoOrigin.sampleBytes(93, SIZE));
        Path dir = Files.createTempDirectory("settings-view-");
        seeder = Seeder.builder(swarm.serverUri(), dir.resolve("store")).originAddresses(AddressPolicy.PRIVATE_ALLOWED)
                .site(swarm.origin().manifestUrl().toString(), List.of()).start();
        swarm.origin().withhold("big.bin"); // leechers get it from the seeder only
        file = new SettingsFile(dir.resolve("swarmkeeper.properties"));
        Files.writeString(file.path(), "# mine\nserver.port=8765\n");
        autostart = new XdgAutostart(dir.resolve("autostart"));
        SettingsModel model = new SettingsModel(SavedSettings.load(file), seeder, autostart, Tray.forThisDesktop());
        stage.setScene(new Scene(new SettingsView(model, background).root(), 1000, 620));
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        background.shutdownNow();
        background.awaitTermination(10, TimeUnit.SECONDS);
        seeder.close();
        swarm.close();
    }

    @Test
    void aCapSavedInSettingsIsAppliedToTheRunningSeederAndLowersTheMeasuredRate(FxRobot robot) throws Exception {
        double free = measuredRate(swarm.leecher());

        robot.interact(() -> field(robot, "#setting-seed-quota").clear());
        robot.clickOn("#setting-seed-quota").write("lots");
        assertEquals("Invalid value for option '--quota' (from the Settings window): 'lots' is not a size"
                + " (examples: 0, 1500000, 500MB, 10GiB)", label(robot, "#problem-seed-quota"));
        assertTrue(robot.lookup("#settings-save").queryAs(Button.class).isDisabled(), "nothing is saved while a value is refused");
        robot.interact(() -> field(robot, "#setting-seed-quota").clear());
        robot.clickOn("#setting-seed-quota").write("2GiB");
        assertEquals("", label(robot, "#problem-seed-quota"));

        robot.interact(() -> field(robot, "#setting-seed-upload-slots").clear());
        robot.clickOn("#setting-seed-upload-slots").write("40");
        assertEquals("--upload-slots (from the Settings window): upload slots must be 1..32, got 40",
                label(robot, "#problem-seed-upload-slots"));
        robot.interact(() -> field(robot, "#setting-seed-upload-slots").clear());
        robot.clickOn("#setting-seed-upload-slots").write("2");
        robot.interact(() -> field(robot, "#setting-seed-upload-rate").clear());
        robot.clickOn("#setting-seed-upload-rate").write("512KiB");
        robot.clickOn("#setting-desktop-start-on-login");

        CheckBox tray = robot.lookup("#setting-desktop-minimise-to-tray").queryAs(CheckBox.class);
        assertTrue(tray.isDisabled() && !tray.isSelected());
        assertEquals("Off: " + Tray.forThisDesktop().unavailableReason() + ".", label(robot, "#problem-desktop-minimise-to-tray"));
        WaitForAsyncUtils.asyncFx(() -> ViewPng.save(tray.getScene(), "settings")).get();

        robot.clickOn("#settings-save");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> label(robot, "#settings-status").startsWith("Saved."));
        assertEquals("Saved. Applied now: Quota, Upload cap (per second), Upload slots, Start on login.",
                label(robot, "#settings-status"));
        assertEquals(512 * 1024, seeder.uploadRate(), "applied to the running seeder");
        assertEquals(2, seeder.uploadSlots());
        assertEquals(2L << 30, seeder.store().quota());
        String written = Files.readString(file.path());
        assertTrue(written.startsWith("# mine\nserver.port=8765\n"), written);
        assertTrue(written.contains("seed.upload-rate=512KiB\n") && written.contains("seed.upload-slots=2\n"), written);
        assertTrue(autostart.isEnabled(), "start on login turned on");

        double capped = measuredRate(swarm.leecher());
        assertTrue(capped <= 512 * 1024 * 1.5, "capped at 512 KiB/s, measured " + (long) capped + " B/s");
        assertTrue(free >= capped * 3, "before " + (long) free + " B/s, capped " + (long) capped + " B/s");
    }

    private static TextField field(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(TextField.class);
    }

    private static String label(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    /** Bytes per second a new leecher received the big resource at (from the seeder alone). */
    private double measuredRate(LeecherPeer leecher) throws Exception {
        leecher.fetch(big);
        assertEquals(SIZE, DownloadRate.bytes(leecher.events(), big));
        return DownloadRate.of(leecher.events(), big);
    }
}
