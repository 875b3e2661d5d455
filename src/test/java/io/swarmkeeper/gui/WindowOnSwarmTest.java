package io.swarmkeeper.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.gui.peers.PeersModel;
import io.swarmkeeper.gui.transfers.TransfersModel;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.monitor.NodeSnapshot.HashCheckEntry;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableView;
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
 * The window over a real node in a real in-process swarm (signaling server, origin, seeders and
 * leechers over real WebRTC and H2), headless under Monocle, sampled by its own timeline.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(120)
class WindowOnSwarmTest extends InSwarm {
    private final SwarmEvents events = new SwarmEvents();
    private final NodeMonitor monitor = new NodeMonitor().attach(events);
    private MainWindow window;
    private Seeder mine;

    @Start
    void start(Stage stage) {
        window = new MainWindow(monitor, List.of());
        stage.setScene(new Scene(window.root(), 1000, 700));
        stage.show();
        window.start();
    }

    @Stop
    void stop() {
        window.stop();
        if (mine != null) {
            mine.close();
        }
    }

    /** The user's seeder, as the app assembles one, publishing to the window's monitor. */
    private Seeder startMine(long uploadRate, String... names) throws Exception {
        List<Manifest.Entry> entries = new ArrayList<>();
        for (String name : names) {
            entries.add(new Manifest.Entry(swarm.origin().url(name), swarm.origin().resources().get(name)));
        }
        mine = Seeder.builder(swarm.serverUri(), Files.createTempDirectory("window-seeder-"))
                .events(events)
                .label("window-seeder")
                .originAddresses(AddressPolicy.PRIVATE_ALLOWED)
                .uploadRate(uploadRate)
                .manifest("test manifest", new Manifest(entries))
                .start();
        monitor.watchStore(mine.store()::usedBytes, mine.store()::quota);
        return mine;
    }

    @Test
    void anUploadsProgressBarMovesAndCompletes(FxRobot robot) throws Exception {
        // One range (a resource under 512 KiB), served at a capped rate so that it takes a while.
        ResourceId id = swarm.publish("tour.bin", DemoOrigin.sampleBytes(7, 500_000));
        Seeder seeder = startMine(150_000, "tour.bin");
        swarm.awaitHolderOf(id);
        Label signaling = robot.lookup("#overview-signaling").queryAs(Label.class);
        MainWindowTest.waitFor(() -> signaling.getText().equals("Connected to " + swarm.serverUri() + " as " + seeder.peerId()));
        robot.interact(() -> window.select("Transfers"));

        LeecherPeer leecher = swarm.leecher();
        CompletableFuture<FetchResult> fetched = CompletableFuture.supplyAsync(() -> {
            try {
                return leecher.fetch(id);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // The bar is seen part way, then full, on the table's own cells.
        List<Double> seen = new ArrayList<>();
        MainWindowTest.waitFor(() -> {
            double p = onFx(() -> robot.lookup("#transfers .progress-bar").queryAllAs(ProgressBar.class).stream()
                    .mapToDouble(ProgressBar::getProgress).max().orElse(-1));
            if (seen.isEmpty() || seen.get(seen.size() - 1) != p) {
                seen.add(p);
            }
            return p > 0 && p < 1;
        });
        MainWindowTest.waitFor(() -> onFx(() -> robot.lookup("#transfers .progress-bar").queryAllAs(ProgressBar.class)
                .stream().anyMatch(b -> b.getProgress() == 1.0)));
        assertEquals(id, fetched.get(30, TimeUnit.SECONDS).id());

        TransfersModel.TransferRow row = onFx(() -> window.transfers().allRows().get(0));
        assertEquals(leecher.id(), row.peerId());
        assertEquals(Direction.UPLOAD, row.direction());
        MainWindowTest.waitFor(() -> onFx(() -> row.stateProperty().get().equals("done")));
        assertTrue(onFx(() -> row.doneProperty().get()).equals("500.0 kB of 500.0 kB"), onFx(() -> row.doneProperty().get()));
        assertTrue(seen.stream().anyMatch(p -> p > 0 && p < 1), "seen part way: " + seen);
        // The Peers tab is behind the Transfers tab: the window brings it up to date in turn, within a second or so.
        PeersModel.PeerRow peer = onFx(() -> window.peers().row(leecher.id()));
        MainWindowTest.waitFor(() -> onFx(() -> peer.uploadedProperty().get()) == 500_000);
        TableView<?> table = robot.lookup("#transfers").queryAs(TableView.class);
        assertFalse(table.getItems().isEmpty());
    }

    @Test
    void aLyingPeerIsCaughtShownFlashedAndDistrusted(FxRobot robot) throws Exception {
        byte[] body = DemoOrigin.sampleBytes(2, 700_000);
        ResourceId id = swarm.publish("photo.jpg", body);
        SeederPeer liar = swarm.lyingSeeder("photo.jpg");
        Seeder seeder = startMine(0);

        // The user's seeder fetches: the liar is the only holder; the origin fills in.
        FetchResult result = seeder.fetcher().fetch(id, swarm.origin().url("photo.jpg"));
        result.file().close();
        assertEquals("origin", result.source());

        MainWindowTest.waitFor(() -> onFx(() -> window.hashChecks().allRows().stream()
                .anyMatch(c -> !c.passed() && c.sourcePeers().equals(List.of(liar.id())))));
        HashCheckEntry failed = onFx(() -> window.hashChecks().allRows().stream().filter(c -> !c.passed())
                .findFirst().orElseThrow());
        assertEquals(id.text(), failed.expected());
        assertTrue(failed.actual() != null && !failed.actual().equals(failed.expected()), "the hash the liar's bytes had");
        assertTrue(onFx(() -> window.hashChecks().allRows().stream()
                .anyMatch(c -> c.passed() && c.fromOrigin() && c.id().equals(id))), "then the origin's bytes passed");

        // The failed check flashes on the Swarm view, on the liar (a view behind the front one is
        // brought up to date in turn, within a second or so).
        MainWindowTest.waitFor(() -> onFx(() -> window.swarm().flashCount()) >= 1);
        assertEquals(List.of(liar.id()), onFx(() -> window.swarm().lastFlashedPeers()));

        // The liar is marked distrusted in Peers and crossed out in the Swarm picture.
        MainWindowTest.waitFor(() -> onFx(() -> {
            PeersModel.PeerRow row = window.peers().row(liar.id());
            return row != null && row.distrustedProperty().get();
        }));
        assertTrue(onFx(() -> window.peers().row(liar.id()).distrustReasonProperty().get()).contains("failed the hash"));
        MainWindowTest.waitFor(() -> onFx(() -> window.swarm().placed().stream()
                .anyMatch(p -> p.peer().peerId().equals(liar.id()) && p.peer().distrusted())));
        robot.interact(() -> window.select("Hash checks"));
        assertTrue(robot.lookup(".hashcheck-failed").tryQuery().isPresent(), "the failed row is styled to stand out");
        assertEquals(onFx(() -> window.overview().checksProperty().get()), "1 passed, 1 failed");
    }

    @Test
    void theOverviewFollowsTheSignalingConnectionThroughAnOutage(FxRobot robot) throws Exception {
        List<SwarmEvent.SignalingRetry> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
        events.subscribe(e -> {
            if (e instanceof SwarmEvent.SignalingRetry r) {
                retries.add(r);
            }
        });
        Seeder seeder = startMine(0);
        Label signaling = robot.lookup("#overview-signaling").queryAs(Label.class);
        String server = swarm.serverUri().toString();
        MainWindowTest.waitFor(() -> signaling.getText().equals("Connected to " + server + " as " + seeder.peerId()));

        swarm.server().close();
        // The loss, then an attempt that failed: each says why and when the next try is.
        MainWindowTest.waitFor(() -> retries.size() >= 2);
        MainWindowTest.waitFor(() -> signaling.getText().startsWith("Reconnecting to " + server + " ("));
        assertTrue(signaling.getText().contains("; trying again in "), signaling.getText());
        assertTrue(retries.get(0).reason().startsWith("connection lost"), retries.get(0).reason());
        assertFalse(retries.get(1).reason().startsWith("connection lost"), "a failed attempt says why: " + retries.get(1).reason());
        assertTrue(retries.get(1).retryAt().isAfter(retries.get(1).at()));

        swarm.restartServer();
        MainWindowTest.waitFor(() -> signaling.getText().startsWith("Connected to " + server + " as "));
        assertEquals("Connected to " + server + " as " + seeder.peerId(), signaling.getText());
    }

    private static <T> T onFx(Callable<T> read) {
        return MainWindowTest.onFx(read);
    }
}
