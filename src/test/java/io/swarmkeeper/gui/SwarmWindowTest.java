package io.swarmkeeper.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.testing.TestNetwork;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window on real controls, headless under Monocle. */
@ExtendWith(ApplicationExtension.class)
@Timeout(120)
class SwarmWindowTest {
    /** The node that observed the events fed by hand. */
    private static final String ME = "k3v9q2mx7a";
    private final SwarmView view = new SwarmView();

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(new SwarmWindow(view).root(), 900, 600));
        stage.show();
    }

    @Test
    void showsConnectionPeersAndHashChecksFromEvents(FxRobot robot) throws Exception {
        ResourceId id = ResourceId.of("x".getBytes());
        view.accept(new SwarmEvent.Connection(Instant.now(), ME, "ws://127.0.0.1:8765", "k3v9q2mx7a", true));
        view.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "p7w2r8n4ce", false, PeerRole.BROWSER, "random",
                Duration.ofMillis(3)));
        view.accept(new SwarmEvent.Transfer(Instant.now(), ME, "p7w2r8n4ce", id, Direction.UPLOAD, 1000, 1000, true, null));
        view.accept(new SwarmEvent.HashCheck(Instant.now(), ME, id, "origin", true, null));
        view.accept(new SwarmEvent.HashCheck(Instant.now(), ME, id, "peer:liar", false, "mismatch"));
        WaitForAsyncUtils.waitForFxEvents();

        assertEquals("Connected to ws://127.0.0.1:8765 as k3v9q2mx7a", robot.lookup("#connection").queryAs(Label.class).getText());
        assertEquals("hash checks passed: 1, failed: 1", robot.lookup("#hash-checks").queryAs(Label.class).getText());
        TableView<?> peers = robot.lookup("#peers").queryAs(TableView.class);
        assertEquals(1, peers.getItems().size());
        SwarmView.PeerRow row = (SwarmView.PeerRow) peers.getItems().get(0);
        assertEquals("p7w2r8n4ce", row.peerId());
        assertEquals(1000, row.uploadedProperty().get());
        assertEquals("random", row.matchReasonProperty().get());

        view.accept(new SwarmEvent.PeerUnlinked(Instant.now(), ME, "p7w2r8n4ce", false, "data channel closed by the peer"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("gone: data channel closed by the peer", row.stateProperty().get());
        ListView<?> log = robot.lookup("#log").queryAs(ListView.class);
        assertTrue(log.getItems().get(0).toString().contains("peer p7w2r8n4ce gone"), log.getItems().toString());
    }

    @Test
    void showsTheLiveDemoSwarm(FxRobot robot) throws Exception {
        TestNetwork.requireIsolatedOrAllowed();
        SwarmEvents events = new SwarmEvents();
        events.subscribe(view::accept);
        Path store = Files.createTempDirectory("gui-demo-");
        try (DemoSwarm swarm = DemoSwarm.start(events, store)) {
            Label connection = robot.lookup("#connection").queryAs(Label.class);
            TableView<?> peers = robot.lookup("#peers").queryAs(TableView.class);
            waitFor(() -> connection.getText().startsWith("Connected to " + swarm.serverUrl()));
            // The demo's visitor links to the seeder and fetches from it.
            waitFor(() -> !peers.getItems().isEmpty());
            waitFor(() -> ((SwarmView.PeerRow) peers.getItems().get(0)).uploadedProperty().get() > 0);
            assertTrue(view.hashChecksPassedProperty().get() >= 6, "the seeder verified its six demo resources");
        }
    }

    @Test
    void keepsOnlyTheNewestPeersThatLeft() {
        for (int i = 0; i < SwarmView.MAX_GONE_ROWS + 5; i++) {
            view.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "peer-" + i, false, null, null, null));
            view.accept(new SwarmEvent.PeerUnlinked(Instant.now(), ME, "peer-" + i, false, "done"));
        }
        view.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "still-here", false, null, null, null));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(SwarmView.MAX_GONE_ROWS + 1, view.peers().size());
        assertEquals("peer-5", view.peers().get(0).peerId(), "the oldest gone rows went first");
        assertEquals("still-here", view.peers().get(view.peers().size() - 1).peerId());
    }

    /** A seeder that fetches from a seeder that fetches from it holds a link each way with it: one row, gone when both are. */
    @Test
    void aPeerLinkedBothWaysIsGoneOnlyWhenBothLinksAre() {
        view.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "both-ways", true, PeerRole.SEEDER, "random", null));
        view.accept(new SwarmEvent.PeerLinked(Instant.now(), ME, "both-ways", false, PeerRole.SEEDER, "random", null));
        view.accept(new SwarmEvent.PeerUnlinked(Instant.now(), ME, "both-ways", true, "idle for 10 s"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, view.peers().size());
        assertEquals("linked", view.peers().get(0).stateProperty().get(), "still serving it over the other link");
        view.accept(new SwarmEvent.PeerUnlinked(Instant.now(), ME, "both-ways", false, "idle for 30 s"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("gone: idle for 30 s", view.peers().get(0).stateProperty().get());
    }

    @Test
    void showsAFullDiskAndWhatTheStoreLostAndFetchesAgain() {
        ResourceId id = ResourceId.of(new byte[] {7});
        view.accept(new SwarmEvent.Dropped(Instant.now(), ME, id, 1, "corrupt"));
        view.accept(new SwarmEvent.Refetching(Instant.now(), ME, id, "corrupt", 0, Instant.now().plusSeconds(5)));
        view.accept(new SwarmEvent.DiskSpace(Instant.now(), ME, true, "only 0 bytes are free"));
        view.accept(new SwarmEvent.DiskSpace(Instant.now(), ME, false, "16 MB free"));
        WaitForAsyncUtils.waitForFxEvents();
        String log = String.join("\n", view.log());
        assertTrue(log.contains("dropped " + id.shortForm() + " (corrupt)"), log);
        assertTrue(log.contains("will fetch " + id.shortForm() + " again (corrupt)"), log);
        assertTrue(log.contains("DISK FULL (only 0 bytes are free): fetching nothing new, still serving what is stored"), log);
        assertTrue(log.contains("disk has room again (16 MB free): fetching resumes"), log);
    }

    @Test
    void formatsByteCountsForPeople() {
        assertEquals("999 B", SwarmWindow.humanBytes(999));
        assertEquals("3.3 MB", SwarmWindow.humanBytes(3_300_000));
        assertEquals("1.5 GB", SwarmWindow.humanBytes(1_500_000_000L));
    }

    private static void waitFor(BooleanSupplier condition) throws TimeoutException {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
            WaitForAsyncUtils.waitForFxEvents();
            return condition.getAsBoolean();
        });
    }
}
