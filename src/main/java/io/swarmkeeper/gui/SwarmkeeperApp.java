package io.swarmkeeper.gui;

import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.desktop.Autostart;
import io.swarmkeeper.desktop.DesktopLaunch;
import io.swarmkeeper.desktop.Tray;
import io.swarmkeeper.gui.about.AboutModel;
import io.swarmkeeper.gui.about.AboutView;
import io.swarmkeeper.gui.settings.SettingsModel;
import io.swarmkeeper.gui.settings.SettingsView;
import io.swarmkeeper.gui.sites.SitesModel;
import io.swarmkeeper.gui.sites.SitesView;
import io.swarmkeeper.gui.store.StoreModel;
import io.swarmkeeper.gui.store.StoreView;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.settings.SavedSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.image.Image;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desktop app: a window over the user's own seeder when the settings file names a signaling
 * server and a store; else over the embedded demo swarm, with a banner that says so, until the
 * user saves those settings from the window.
 * One instance per user (a second launch brings this window forward), a log file in the
 * platform's place, and the tray when the user asked to keep seeding with the window closed.
 */
public final class SwarmkeeperApp extends Application {
    private static final Logger log = LoggerFactory.getLogger(SwarmkeeperApp.class);
    /** Printed once the window's first frame is on its way: the installer's check times it. */
    public static final String SHOWN_LINE = "swarmkeeper: window shown";

    private static volatile Launch launch;
    private static final AtomicReference<Runnable> bringForward = new AtomicReference<>(() -> {});

    /** How the app was started: its launch (instance, log, settings), whether the demo was asked for, its environment. */
    private record Launch(DesktopLaunch.Started started, boolean demo, Path demoStoreDir, Map<String, String> environment,
                          String os) {}

    private final List<Runnable> stops = new ArrayList<>();
    private volatile DemoSwarm swarm;
    private volatile Seeder seeder;
    private MainWindow window;
    private Stage stage;
    private SwarmEvents events;
    private NodeMonitor monitor;
    private final AtomicBoolean switched = new AtomicBoolean();
    private Tray tray;
    private ExecutorService background;

    /**
     * Opens the window, on the user's seeder if they configured one and {@code demo} is false, else
     * on a demo swarm whose seeder keeps its store in {@code demoStoreDir}; returns when it closes.
     * Returns at once, true, when another instance runs: it was asked to show its window.
     */
    public static boolean launch(Path explicitConfig, boolean demo, Path demoStoreDir) throws IOException {
        if (prepare(explicitConfig, demo, demoStoreDir, System.getenv(), System.getProperty("os.name", ""))) {
            return true;
        }
        Application.launch(SwarmkeeperApp.class);
        return false;
    }

    /**
     * The steps before any window ({@link DesktopLaunch}): true when another instance runs and was
     * asked to show itself. Else the next {@link #start} uses this launch.
     */
    static boolean prepare(Path explicitConfig, boolean demo, Path demoStoreDir, Map<String, String> environment, String os)
            throws IOException {
        Optional<DesktopLaunch.Started> started = DesktopLaunch.begin(explicitConfig, environment, os,
                () -> bringForward.get().run());
        if (started.isEmpty()) {
            return true;
        }
        launch = new Launch(started.get(), demo, demoStoreDir, environment, os);
        return false;
    }

    @Override
    public void start(Stage stage) {
        Launch how = launch;
        SwarmEvents events = new SwarmEvents();
        NodeMonitor monitor = new NodeMonitor().attach(events);
        window = new MainWindow(monitor, List.of());
        background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "window-background");
            t.setDaemon(true);
            return t;
        });
        tray = Tray.forThisDesktop();

        SavedSettings saved = how.started().settings();
        boolean own = !how.demo() && saved != null && saved.current().configured();
        if (how.started().settingsProblem() != null) {
            window.showBanner("The settings file cannot be used: " + how.started().settingsProblem()
                    + " — running the demo swarm; mend " + how.started().file().path() + " and start again");
        } else if (!own) {
            window.showBanner(MainWindow.DEMO_BANNER);
        }

        BorderPane root = new BorderPane(window.root());
        root.setTop(menus(stage, how));
        stage.setTitle(own ? "Swarmkeeper" : "Swarmkeeper — demo swarm");
        icons(stage);
        stage.setScene(new Scene(root, 1100, 720));
        stage.show();
        System.out.println(SHOWN_LINE);
        window.start();
        bringForward.set(() -> Platform.runLater(() -> {
            stage.setIconified(false);
            stage.show();
            stage.toFront();
            stage.requestFocus();
        }));
        keepInTray(stage, saved);

        this.events = events;
        this.monitor = monitor;
        this.stage = stage;
        Thread starter = new Thread(() -> {
            if (own) {
                startOwn(saved);
            } else {
                startDemo(saved, how.demoStoreDir());
            }
        }, "seeder-start");
        starter.setDaemon(true);
        starter.start();
    }

    /** Opens the user's seeder, its tabs, and seeds its sites. Off the FX thread. */
    private void startOwn(SavedSettings saved) {
        try {
            Seeder s = saved.current().seederBuilder().keepUnreadableSites(true).label("desktop").events(events).open();
            seeder = s;
            monitor.watchStore(s.store()::usedBytes, s.store()::quota);
            Platform.runLater(() -> ownerTabs(saved, s, s));
            s.seedManifests();
        } catch (Exception e) {
            log.error("your seeder failed to start", e);
            monitor.signalingFailed(null, "your seeder failed to start: " + e.getMessage());
            // Sites and Settings still open, so that the user can mend what stopped it.
            Platform.runLater(() -> ownerTabs(saved, null, null));
        }
    }

    /**
     * Starts the demo swarm. Sites and Settings only save while it runs (its seeder is not the
     * user's); once they have saved a signaling server and a store (enough to seed; sites are
     * added to the running seeder then), the demo makes way for the user's own seeder without a
     * restart. Off the FX thread.
     */
    private void startDemo(SavedSettings saved, Path storeDir) {
        try {
            swarm = DemoSwarm.start(events, storeDir);
            Seeder s = swarm.seeder();
            monitor.watchStore(s.store()::usedBytes, s.store()::quota);
            String page = swarm.pageUrl().toString();
            Platform.runLater(() -> {
                ownerTabs(saved, null, s);
                window.offerPage("Open the demo page in your browser", () -> getHostServices().showDocument(page));
            });
        } catch (Exception e) {
            log.error("the demo swarm failed to start", e);
            monitor.signalingFailed(null, "the demo swarm failed to start: " + e.getMessage());
            Platform.runLater(() -> ownerTabs(saved, null, null));
        }
        if (saved != null) {
            saved.onSaved(settings -> {
                if (settings.configured() && switched.compareAndSet(false, true)) {
                    Thread t = new Thread(() -> switchToOwn(saved), "seeder-switch");
                    t.setDaemon(true);
                    t.start();
                }
            });
        }
    }

    /** The demo swarm closes and the user's seeder takes the window. Off the FX thread. */
    private void switchToOwn(SavedSettings saved) {
        log.info("your settings name a signaling server and a store: the demo swarm makes way for your seeder");
        CountDownLatch cleared = new CountDownLatch(1);
        Platform.runLater(() -> {
            window.removeExtraTabs();
            stopViews();
            window.clearBanner();
            stage.setTitle("Swarmkeeper");
            cleared.countDown();
        });
        try {
            cleared.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        DemoSwarm demo = swarm;
        swarm = null;
        if (demo != null) {
            demo.close();
        }
        startOwn(saved);
    }

    private void stopViews() {
        stops.forEach(Runnable::run);
        stops.clear();
    }

    /** Sites and Settings ({@code mine}: the user's seeder, or null), Store over the running seeder (if any), then About. FX thread. */
    private void ownerTabs(SavedSettings saved, Seeder mine, Seeder running) {
        Map<String, String> environment = launch.environment();
        String os = launch.os();
        if (saved != null) {
            SitesView sites = new SitesView(new SitesModel(saved, mine), background);
            stops.add(sites::stop);
            window.addTab(new ExtraTab("Sites", sites.root()));
            SettingsView settings = new SettingsView(new SettingsModel(saved, mine, Autostart.forPlatform(environment, os), tray), background);
            window.addTab(new ExtraTab("Settings", settings.root()));
        }
        if (running != null) {
            StoreView store = new StoreView(new StoreModel(running.store(), running::siteOfEachResource), background);
            stops.add(store::stop);
            window.addTab(new ExtraTab("Store", store.root()));
        }
        window.addTab(new ExtraTab("About", new AboutView(new AboutModel()).root()));
    }

    private MenuBar menus(Stage stage, Launch how) {
        MenuItem quit = new MenuItem("Quit");
        quit.setOnAction(e -> quit(stage));
        MenuItem showLog = new MenuItem("Show log file");
        showLog.setId("show-log");
        showLog.setOnAction(e -> getHostServices().showDocument(how.started().log().file().toUri().toString()));
        MenuItem about = new MenuItem("About Swarmkeeper");
        about.setOnAction(e -> window.select("About"));
        MenuBar bar = new MenuBar(new Menu("File", null, quit), new Menu("Help", null, showLog, about));
        bar.setId("menus");
        return bar;
    }

    /** With "minimise to tray" on and a tray on this desktop, closing the window keeps seeding. */
    private void keepInTray(Stage stage, SavedSettings saved) {
        if (saved == null || !saved.current().minimiseToTray() || !tray.available()) {
            return;
        }
        Platform.setImplicitExit(false);
        stage.setOnCloseRequest(e -> {
            e.consume();
            stage.hide();
        });
        tray.show("Swarmkeeper — seeding", () -> bringForward.get().run(), () -> Platform.runLater(() -> quit(stage)));
    }

    private void quit(Stage stage) {
        stage.close();
        Platform.exit();
    }

    private static void icons(Stage stage) {
        for (int size : new int[] {16, 24, 32, 48, 64, 128, 256}) {
            var url = SwarmkeeperApp.class.getResource("/icons/swarmkeeper-" + size + ".png");
            if (url != null) {
                stage.getIcons().add(new Image(url.toExternalForm()));
            }
        }
    }

    @Override
    public void stop() {
        if (window != null) {
            window.stop();
        }
        stopViews();
        if (tray != null) {
            tray.remove();
        }
        Seeder s = seeder;
        if (s != null) {
            s.close();
        }
        DemoSwarm d = swarm;
        if (d != null) {
            d.close();
        }
        if (background != null) {
            background.shutdownNow();
        }
        Launch how = launch;
        if (how != null) {
            how.started().instance().close();
            try {
                how.started().log().close();
            } catch (IOException e) {
                log.warn("closing the log file: {}", e.getMessage());
            }
        }
    }
}
