package io.swarmkeeper.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.gui.hashchecks.HashChecksModel;
import io.swarmkeeper.gui.peers.PeersModel;
import io.swarmkeeper.gui.swarm.SwarmModel;
import io.swarmkeeper.gui.transfers.TransfersModel;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import javafx.scene.Scene;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

/** The window's shell and views on real controls, headless under Monocle, fed events by hand through a real monitor. */
@ExtendWith(ApplicationExtension.class)
@Timeout(60)
class MainWindowTest {
    private static final String ME = "k3v9q2mx7a";
    private static final ResourceId PHOTO = ResourceId.of("photo".getBytes());
    /** How far the monitor's clock runs ahead of the events' (a test moves it on to see peers fade). */
    private final java.util.concurrent.atomic.AtomicReference<Duration> ahead = new java.util.concurrent.atomic.AtomicReference<>(Duration.ZERO);
    private final NodeMonitor monitor = new NodeMonitor(() -> Instant.now().plus(ahead.get()), java.time.ZoneId.systemDefault());
    private Label extra;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        extra = new Label("the owner's settings");
        window = new MainWindow(monitor, List.of(new ExtraTab("Settings", extra)));
        stage.setScene(new Scene(window.root(), 1000, 700));
        stage.show();
        window.start();
    }

    @Stop
    void stop() {
        window.stop();
    }

    @Test
    void theViewsShowWhatTheNodeDidOnceSampled(FxRobot robot) throws Exception {
        monitor.accept(new SwarmEvent.Connection(Instant.now(), ME, "ws://127.0.0.1:8765", ME, true));
        monitor.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "p7w2r8n4ce", false, PeerRole.BROWSER, "random",
                Duration.ofMillis(3)));
        monitor.accept(new SwarmEvent.Transfer(Instant.now(), ME, "p7w2r8n4ce", PHOTO, Direction.UPLOAD, 0, 1000, false, null));
        monitor.accept(new SwarmEvent.Transfer(Instant.now(), ME, "p7w2r8n4ce", PHOTO, Direction.UPLOAD, 1000, 1000, true, null));
        monitor.accept(new SwarmEvent.HashCheck(Instant.now(), ME, PHOTO, "origin", true, null));
        monitor.accept(new SwarmEvent.HashCheck(Instant.now(), ME, PHOTO, "peer:liar", false, "sent bad bytes"));
        monitor.accept(new SwarmEvent.PeerDistrusted(Instant.now(), ME, "liar", PHOTO, "sent bad bytes"));

        Label signaling = robot.lookup("#overview-signaling").queryAs(Label.class);
        waitFor(() -> signaling.getText().equals("Connected to ws://127.0.0.1:8765 as " + ME));
        // The timer keeps the front tab and the Overview current, the tabs behind every 2 s: sample all now.
        robot.interact(window::sample);
        assertEquals("1 passed, 1 failed", robot.lookup("#overview-checks").queryAs(Label.class).getText());
        assertEquals("1 peer linked, 1 left in the last 1 min, 1 distrusted", robot.lookup("#overview-peers").queryAs(Label.class).getText());
        assertTrue(robot.lookup("#overview-served").queryAs(Label.class).getText().startsWith("1.0 kB today, 1.0 kB in total"));

        robot.interact(() -> window.select("Peers"));
        TableView<?> peers = robot.lookup("#peers").queryAs(TableView.class);
        assertEquals(2, peers.getItems().size());
        PeersModel.PeerRow browser = window.peers().row("p7w2r8n4ce");
        assertEquals(1000, browser.uploadedProperty().get());
        assertEquals("random", browser.matchReasonProperty().get());
        assertEquals("3 ms", browser.roundTripProperty().get());
        assertTrue(window.peers().row("liar").distrustedProperty().get());

        // A peer that left fades out in the table, then goes.
        Instant left = Instant.now();
        monitor.accept(new SwarmEvent.PeerUnlinked(left, ME, "p7w2r8n4ce", false, "data channel closed by the peer"));
        waitFor(() -> browser.stateProperty().get().equals("left: data channel closed by the peer"));
        assertFalse(browser.linkedProperty().get());
        ahead.set(NodeMonitor.FADE_AFTER.dividedBy(2));
        waitFor(() -> browser.fadeProperty().get() < 0.55);
        javafx.scene.control.TableRow<?> row = robot.lookup(".table-row-cell").queryAllAs(javafx.scene.control.TableRow.class)
                .stream().filter(r -> r.getItem() == browser).findFirst().orElseThrow();
        assertEquals(0.4 + 0.6 * browser.fadeProperty().get(), row.getOpacity(), 1e-9, "the row fades with its peer");
        ahead.set(NodeMonitor.FADE_AFTER.plusSeconds(1));
        waitFor(() -> window.peers().row("p7w2r8n4ce") == null);
        assertTrue(peers.getItems().isEmpty(), "the liar, never linked with this node, faded out too");
        ahead.set(Duration.ZERO);

        assertEquals(1, window.transfers().allRows().size());
        assertEquals("done", window.transfers().allRows().get(0).stateProperty().get());
        assertEquals(2, window.hashChecks().allRows().size());
        assertFalse(window.hashChecks().allRows().get(0).passed(), "newest first");
    }

    @Test
    void ownersTabsComeAfterTheNodesViews(FxRobot robot) {
        assertEquals(List.of("Overview", "Peers", "Transfers", "Hash checks", "Swarm", "Settings"),
                window.tabs().stream().map(Tab::getText).toList());
        // A tab's content joins the window when the tab is first selected (a faster first frame).
        assertEquals(null, window.tabs().get(5).getContent());
        robot.interact(() -> window.select("Settings"));
        assertEquals(extra, window.tabs().get(5).getContent());
    }

    @Test
    void theDemoBannerAndThePageLink(FxRobot robot) {
        assertFalse(robot.lookup("#banner-bar").query().isVisible(), "no banner until there is something to say");
        boolean[] opened = {false};
        robot.interact(() -> {
            window.showBanner(MainWindow.DEMO_BANNER);
            window.offerPage("Open the demo page in your browser", () -> opened[0] = true);
        });
        assertTrue(robot.lookup("#banner-bar").query().isVisible());
        assertEquals("Demo swarm — Add a site to seed your own", robot.lookup("#banner").queryAs(Label.class).getText());
        robot.clickOn("#open-page");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(opened[0]);
        assertEquals("Open the demo page in your browser", robot.lookup("#open-page").queryAs(Hyperlink.class).getText());
    }

    @Test
    void transfersAndHashChecksAreFiltered(FxRobot robot) throws Exception {
        monitor.accept(new SwarmEvent.Transfer(Instant.now(), ME, "a", PHOTO, Direction.UPLOAD, 0, 100, false, null));
        monitor.accept(new SwarmEvent.Transfer(Instant.now(), ME, "b", PHOTO, Direction.DOWNLOAD, 50, 50, true, null));
        monitor.accept(new SwarmEvent.Transfer(Instant.now(), ME, "c", PHOTO, Direction.DOWNLOAD, 10, 10, true, "stalled"));
        monitor.accept(new SwarmEvent.HashCheck(Instant.now(), ME, PHOTO, "peer:b", true, null));
        monitor.accept(new SwarmEvent.HashCheck(Instant.now(), ME, PHOTO, "peers:c,d", false, "bad"));
        monitor.accept(new SwarmEvent.HashCheck(Instant.now(), ME, PHOTO, "origin", true, null));
        waitFor(() -> window.transfers().allRows().size() == 3 && window.hashChecks().allRows().size() == 3);

        TransfersModel transfers = window.transfers();
        assertEquals(3, transfers.rows().size());
        for (var f : List.of(TransfersModel.Filter.LIVE, TransfersModel.Filter.FINISHED, TransfersModel.Filter.FAILED)) {
            robot.interact(() -> transfers.filterProperty().set(f));
            assertEquals(1, transfers.rows().size(), f.name());
        }
        assertEquals("c", transfers.rows().get(0).peerId());
        assertEquals("failed: stalled", transfers.rows().get(0).stateProperty().get());

        HashChecksModel checks = window.hashChecks();
        robot.interact(() -> checks.resultProperty().set(HashChecksModel.Result.FAILED));
        assertEquals(List.of("c", "d"), checks.rows().get(0).sourcePeers());
        assertEquals(1, checks.rows().size());
        robot.interact(() -> checks.resultProperty().set(HashChecksModel.Result.ALL));
        robot.interact(() -> window.select("Hash checks"));
        robot.clickOn("#hashchecks-peer");
        robot.interact(() -> checks.peerProperty().set("b"));
        assertEquals(1, checks.rows().size());
        assertEquals("peer:b", checks.rows().get(0).source());
        robot.interact(() -> checks.peerProperty().set("origin"));
        assertEquals("origin", checks.rows().get(0).source());
        assertEquals(1, checks.rows().size());
    }

    @Test
    void theSwarmPictureFlashesMarksPicksPausesAndExports(FxRobot robot, @TempDir Path dir) throws Exception {
        SwarmModel swarm = window.swarm();
        monitor.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "honest", true, PeerRole.SEEDER, "random", null));
        monitor.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "liar", true, PeerRole.SEEDER, "random", null));
        monitor.accept(new SwarmEvent.HashCheck(Instant.now(), ME, PHOTO, "peer:liar", false, "bad bytes"));
        monitor.accept(new SwarmEvent.PeerDistrusted(Instant.now(), ME, "liar", PHOTO, "bad bytes"));
        waitFor(() -> swarm.flashCount() == 1);
        assertEquals(List.of("liar"), swarm.lastFlashedPeers());
        assertEquals(2, swarm.placed().size());
        assertTrue(swarm.placed().stream().anyMatch(p -> p.peer().peerId().equals("liar") && p.peer().distrusted()));

        robot.interact(() -> window.select("Swarm"));
        // A click on the liar's circle shows its details.
        javafx.scene.canvas.Canvas canvas = window.swarmView().canvas();
        javafx.geometry.Point2D liarAt = onFx(() -> canvas.localToScreen(window.swarmView().pointOf("liar")));
        robot.clickOn(liarAt.add(3, 2));
        waitFor(() -> "liar".equals(swarm.selected()));
        assertTrue(swarm.detailsProperty().get().contains("DISTRUSTED: bad bytes"), swarm.detailsProperty().get());
        assertEquals(swarm.detailsProperty().get(), robot.lookup("#swarm-details").queryAs(Label.class).getText());
        robot.clickOn(onFx(() -> canvas.localToScreen(canvas.getWidth() / 2, canvas.getHeight() / 2)));
        waitFor(() -> swarm.selected() == null); // the centre is this node, not a peer

        robot.clickOn("#swarm-pause");
        assertTrue(swarm.pausedProperty().get());
        long frame = swarm.frameProperty().get();
        monitor.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "newcomer", false, PeerRole.BROWSER, null, null));
        monitor.accept(new SwarmEvent.HashCheck(Instant.now(), ME, PHOTO, "peer:honest", false, "bad"));
        waitFor(() -> swarm.flashCount() == 2); // a failed check is noted while paused...
        assertEquals(frame, swarm.frameProperty().get(), "...but the picture stands still");
        assertEquals(2, swarm.placed().size());
        robot.clickOn("#swarm-pause");
        waitFor(() -> swarm.placed().size() == 3);

        Path png = dir.resolve("swarm.png");
        robot.interact(() -> {
            try {
                window.swarmView().exportPng(png);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals((int) canvas.getWidth(), read.getWidth());
        assertEquals((int) canvas.getHeight(), read.getHeight());
        int centre = read.getRGB(read.getWidth() / 2, read.getHeight() / 2);
        assertEquals(toArgb(Palette.SELF), centre, "this node is drawn in the centre");
        assertTrue(Files.size(png) > 1000);
    }

    private static int toArgb(javafx.scene.paint.Color c) {
        return (0xff << 24) | ((int) Math.round(c.getRed() * 255) << 16) | ((int) Math.round(c.getGreen() * 255) << 8)
                | (int) Math.round(c.getBlue() * 255);
    }

    @Test
    void formatsForPeople() {
        assertEquals("999 B", Formats.bytes(999));
        assertEquals("3.3 MB", Formats.bytes(3_300_000));
        assertEquals("1.5 GB", Formats.bytes(1_500_000_000L));
        assertEquals("45 s", Formats.span(Duration.ofSeconds(45)));
        assertEquals("2 h 5 min", Formats.span(Duration.ofMinutes(125)));
    }

    /** Reads something on the FX thread. */
    static <T> T onFx(java.util.concurrent.Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void waitFor(BooleanSupplier condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
            WaitForAsyncUtils.waitForFxEvents();
            return condition.getAsBoolean();
        });
    }
}
