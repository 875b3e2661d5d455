package io.swarmkeeper.gui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.gui.swarm.PngExport;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.monitor.NodeSnapshot;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.testing.TestNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The window on the live demo swarm, as a new user first sees it: it connects, visitors fetch
 * from the seeder, the liar is caught; then each tab is rendered to {@code target/screenshots}.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(180)
class WindowScreenshotsTest {
    private static final Path SHOTS = Path.of("target", "screenshots");
    private final SwarmEvents events = new SwarmEvents();
    private final NodeMonitor monitor = new NodeMonitor().attach(events);
    private MainWindow window;

    @Start
    void start(Stage stage) {
        window = new MainWindow(monitor, List.of());
        window.showBanner(MainWindow.DEMO_BANNER);
        stage.setScene(new Scene(window.root(), 1100, 760));
        stage.show();
        window.start();
    }

    @Stop
    void stop() {
        window.stop();
    }

    @Test
    void theDemoSwarmIsLiveInEveryTab(FxRobot robot) throws Exception {
        TestNetwork.requireIsolatedOrAllowed();
        Path store = Files.createTempDirectory("gui-demo-");
        try (DemoSwarm swarm = DemoSwarm.start(events, store)) {
            monitor.watchStore(swarm.seeder().store()::usedBytes, swarm.seeder().store()::quota);
            robot.interact(() -> window.offerPage("Open the demo page in your browser", () -> {}));
            Label signaling = robot.lookup("#overview-signaling").queryAs(Label.class);
            waitFor(60, () -> signaling.getText().startsWith("Connected to " + swarm.serverUrl() + " as "));
            // The demo's visitors link to the seeder and fetch from it; its dishonest peer is caught by one of them.
            waitFor(90, () -> {
                NodeSnapshot s = window.lastSnapshot();
                return s != null && s.servedTotal() > 0 && s.checksFailed() > 0
                        && s.peers().stream().anyMatch(NodeSnapshot.PeerState::distrusted)
                        && s.peers().stream().anyMatch(p -> p.uploadRate() > 0);
            });
            // Enough of the visitors' comings and goings for the rate chart to show a shape.
            waitFor(120, () -> secondsWithUploads(window.lastSnapshot()) >= 15);
            NodeSnapshot s = window.lastSnapshot();
            assertTrue(s.checksPassed() >= 6, "the seeder verified its six demo resources: " + s.checksPassed());
            assertTrue(s.upload().max() > 0, "the rate chart has something to draw");

            Files.createDirectories(SHOTS);
            for (String tab : List.of("Overview", "Peers", "Transfers", "Hash checks", "Swarm")) {
                robot.interact(() -> {
                    window.select(tab);
                    window.sample();
                    if (tab.equals("Swarm")) {
                        // Details of the caught liar, as a click on it shows them.
                        window.swarm().placed().stream().filter(p -> p.peer().distrusted()).findFirst()
                                .ifPresent(p -> window.swarm().pick(p.x(), p.y(), 0.05));
                    }
                });
                WaitForAsyncUtils.waitForFxEvents();
                Path file = SHOTS.resolve(tab.toLowerCase(java.util.Locale.ROOT).replace(' ', '-') + ".png");
                robot.interact(() -> {
                    try {
                        PngExport.write(window.root().snapshot(null, null), file);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertTrue(Files.size(file) > 5_000, file + " has a picture in it");
            }
        }
    }

    private static int secondsWithUploads(NodeSnapshot s) {
        int n = 0;
        for (int i = 0; i < s.upload().size(); i++) {
            n += s.upload().get(i) > 0 ? 1 : 0;
        }
        return n;
    }

    private static void waitFor(int seconds, java.util.function.BooleanSupplier condition) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> {
            WaitForAsyncUtils.waitForFxEvents();
            return condition.getAsBoolean();
        });
    }
}
