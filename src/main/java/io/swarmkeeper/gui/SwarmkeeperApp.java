package io.swarmkeeper.gui;

import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SwarmEvents;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desktop app: a window over a seeder. Without a configuration it is the seeder of the
 * embedded demo swarm, and a banner says so.
 */
public final class SwarmkeeperApp extends Application {
    private static final Logger log = LoggerFactory.getLogger(SwarmkeeperApp.class);
    private static volatile Path demoStoreDir;

    private volatile DemoSwarm swarm;
    private MainWindow window;

    /** Opens the window on a demo swarm whose seeder keeps its store in {@code storeDir}; returns when it closes. */
    public static void launchDemo(Path storeDir) {
        demoStoreDir = storeDir;
        Application.launch(SwarmkeeperApp.class);
    }

    @Override
    public void start(Stage stage) {
        SwarmEvents events = new SwarmEvents();
        NodeMonitor monitor = new NodeMonitor().attach(events);
        window = new MainWindow(monitor, List.of());
        window.showBanner(MainWindow.DEMO_BANNER);
        stage.setTitle("Swarmkeeper");
        stage.setScene(new Scene(window.root(), 1000, 700));
        stage.show();
        window.start();
        Path storeDir = demoStoreDir;
        Thread starter = new Thread(() -> {
            try {
                swarm = DemoSwarm.start(events, storeDir);
                Seeder seeder = swarm.seeder();
                monitor.watchStore(seeder.store()::usedBytes, seeder.store()::quota);
                String page = swarm.pageUrl().toString();
                Platform.runLater(() -> window.offerPage("Open the demo page in your browser",
                        () -> getHostServices().showDocument(page)));
            } catch (Exception e) {
                log.error("demo swarm failed to start", e);
                monitor.signalingFailed(null, "the demo swarm failed to start: " + e.getMessage());
            }
        }, "demo-start");
        starter.setDaemon(true);
        starter.start();
    }

    @Override
    public void stop() {
        if (window != null) {
            window.stop();
        }
        DemoSwarm s = swarm;
        if (s != null) {
            s.close();
        }
        Platform.exit();
    }
}
