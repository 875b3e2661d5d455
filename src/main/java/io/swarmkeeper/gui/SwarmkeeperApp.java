package io.swarmkeeper.gui;

import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.node.SwarmEvents;
import java.nio.file.Path;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The desktop app: a window over a seeder. For now the seeder is that of the embedded demo swarm. */
public final class SwarmkeeperApp extends Application {
    private static final Logger log = LoggerFactory.getLogger(SwarmkeeperApp.class);
    private static volatile Path demoStoreDir;

    private volatile DemoSwarm swarm;

    /** Opens the window on a demo swarm whose seeder keeps its store in {@code storeDir}; returns when it closes. */
    public static void launchDemo(Path storeDir) {
        demoStoreDir = storeDir;
        Application.launch(SwarmkeeperApp.class);
    }

    @Override
    public void start(Stage stage) {
        SwarmView view = new SwarmView();
        SwarmEvents events = new SwarmEvents();
        events.subscribe(view::accept);
        stage.setTitle("Swarmkeeper");
        SwarmWindow window = new SwarmWindow(view);
        stage.setScene(new Scene(window.root(), 900, 600));
        stage.show();
        view.setStatus("Starting the local demo swarm…");
        Path storeDir = demoStoreDir;
        Thread starter = new Thread(() -> {
            try {
                swarm = DemoSwarm.start(events, storeDir);
                String page = swarm.pageUrl().toString();
                Platform.runLater(() -> window.offerPage("Open the demo page in your browser",
                        () -> getHostServices().showDocument(page)));
            } catch (Exception e) {
                log.error("demo swarm failed to start", e);
                view.setStatus("Demo swarm failed to start: " + e.getMessage());
            }
        }, "demo-start");
        starter.setDaemon(true);
        starter.start();
    }

    @Override
    public void stop() {
        DemoSwarm s = swarm;
        if (s != null) {
            s.close();
        }
        Platform.exit();
    }
}
