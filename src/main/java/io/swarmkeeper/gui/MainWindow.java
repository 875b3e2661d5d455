package io.swarmkeeper.gui;

import io.swarmkeeper.gui.hashchecks.HashChecksModel;
import io.swarmkeeper.gui.hashchecks.HashChecksView;
import io.swarmkeeper.gui.overview.OverviewModel;
import io.swarmkeeper.gui.overview.OverviewView;
import io.swarmkeeper.gui.peers.PeersModel;
import io.swarmkeeper.gui.peers.PeersView;
import io.swarmkeeper.gui.swarm.SwarmCanvasView;
import io.swarmkeeper.gui.swarm.SwarmModel;
import io.swarmkeeper.gui.transfers.TransfersModel;
import io.swarmkeeper.gui.transfers.TransfersView;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.monitor.NodeSnapshot;
import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.util.Duration;

/**
 * The main window's content: a banner when there is something to say (the demo swarm), and one
 * tab per view of the node (Overview, Peers, Transfers, Hash checks, Swarm), then the tabs its
 * owner adds. Four times a second a timeline takes the node's {@link NodeMonitor#snapshot()} and
 * hands it to every view's model: the node's events never reach the FX thread one by one.
 * FX thread.
 */
public final class MainWindow {
    /** Samples a second. */
    static final double SAMPLES_PER_SECOND = 4;
    /** What the window says when it shows the demo swarm rather than the user's seeder. */
    public static final String DEMO_BANNER = "Demo swarm — Add a site to seed your own";

    private final NodeMonitor monitor;
    private final BorderPane root = new BorderPane();
    private final TabPane tabs = new TabPane();
    private final Label banner = new Label();
    private final Hyperlink page = new Hyperlink();
    private final HBox bannerBar = new HBox(16, banner, page);
    private final OverviewModel overview = new OverviewModel();
    private final PeersModel peers = new PeersModel();
    private final TransfersModel transfers = new TransfersModel();
    private final HashChecksModel hashChecks = new HashChecksModel();
    private final SwarmModel swarm = new SwarmModel();
    private final SwarmCanvasView swarmView = new SwarmCanvasView(swarm);
    private final List<SnapshotView> views = List.of(overview, peers, transfers, hashChecks, swarm);
    private Sampling sampling;
    private NodeSnapshot last;
    private long ticks;

    /** A window over {@code monitor}'s node, with {@code extraTabs} after the node's own views. */
    public MainWindow(NodeMonitor monitor, List<ExtraTab> extraTabs) {
        this.monitor = monitor;
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setId("views");
        add("Overview", "tab-overview", new OverviewView(overview));
        add("Peers", "tab-peers", new PeersView(peers));
        add("Transfers", "tab-transfers", new TransfersView(transfers));
        add("Hash checks", "tab-hashchecks", new HashChecksView(hashChecks));
        add("Swarm", "tab-swarm", swarmView);
        extraTabs.forEach(this::addTab);

        banner.setId("banner");
        banner.setStyle("-fx-font-weight: bold; -fx-text-fill: #4e3b00;");
        page.setId("open-page");
        page.setVisible(false);
        page.managedProperty().bind(page.visibleProperty());
        bannerBar.setId("banner-bar");
        bannerBar.setAlignment(Pos.CENTER_LEFT);
        bannerBar.setPadding(new Insets(6, 10, 6, 10));
        bannerBar.setStyle("-fx-background-color: #fff3c4; -fx-border-color: #e0c35a; -fx-border-width: 0 0 1 0;");
        bannerBar.setVisible(false);
        bannerBar.managedProperty().bind(bannerBar.visibleProperty());
        root.setTop(bannerBar);
        root.setCenter(tabs);

        tabs.getSelectionModel().selectedIndexProperty().addListener((o, was, now) -> {
            SnapshotView front = frontView();
            if (front != null && last != null) {
                front.show(last);
            }
        });
    }

    private void add(String title, String id, TabView view) {
        view.drawWhile(add(title, id, view.root()).selectedProperty());
    }

    /**
     * A tab whose content joins the window when the tab is first selected (the first tab's at
     * once): JavaFX styles every node of the scene and makes a skin for every control when the
     * window first shows, tabs behind included, and the tables of eight tabs doubled the time
     * to the first frame.
     */
    private Tab add(String title, String id, Node content) {
        Tab tab = new Tab(title);
        tab.setId(id);
        if (tabs.getTabs().isEmpty()) {
            tab.setContent(content);
        } else {
            tab.selectedProperty().addListener(new javafx.beans.value.ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends Boolean> o, Boolean was, Boolean now) {
                    if (now) {
                        tab.setContent(content);
                        tab.selectedProperty().removeListener(this);
                    }
                }
            });
        }
        tabs.getTabs().add(tab);
        return tab;
    }

    /** Adds a tab after the others (Sites, Settings, Store, About…). */
    public void addTab(ExtraTab extra) {
        add(extra.title(), "tab-" + extra.title().toLowerCase(java.util.Locale.ROOT).replace(' ', '-'), extra.content());
    }

    /** Starts sampling the node a few times a second. */
    public void start() {
        sample();
        sampling = Sampling.offThread("window-sampler", Duration.seconds(1 / SAMPLES_PER_SECOND), monitor::snapshot, this::tick);
    }

    public void stop() {
        if (sampling != null) {
            sampling.stop();
        }
    }

    /** Takes a snapshot now and shows it in every view, seen or not. */
    public void sample() {
        show(monitor.snapshot());
    }

    /**
     * A sample, taken off the FX thread four times a second: shown in the view in front and the
     * Overview (whose figures the others repeat), and in one of the views behind them, in turn, so
     * that each view-model is at most a second or so behind; a view behind is brought up to date
     * at once when its tab is selected. Views behind their tab do not draw (see {@link TabView}).
     * Figures: docs/benchmarks.md, "The window under a busy swarm".
     */
    private void tick(NodeSnapshot s) {
        last = s;
        SnapshotView front = frontView();
        SnapshotView behind = views.get((int) (++ticks % views.size()));
        for (SnapshotView view : views) {
            if (view == front || view == overview || view == behind) {
                view.show(s);
            }
        }
    }

    private void show(NodeSnapshot s) {
        last = s;
        for (SnapshotView view : views) {
            view.show(s);
        }
    }

    /** The view of the selected tab, or null when an extra tab is in front. */
    private SnapshotView frontView() {
        int index = tabs.getSelectionModel().getSelectedIndex();
        return index >= 0 && index < views.size() ? views.get(index) : null;
    }

    /** Shows {@code text} in a banner over the tabs (null: no banner unless a page is offered). */
    public void showBanner(String text) {
        banner.setText(text == null ? "" : text);
        bannerBar.setVisible(text != null || page.isVisible());
    }

    /** Offers a web page of the swarm (the demo's listing) behind a link in the banner; {@code open} opens it. */
    public void offerPage(String text, Runnable open) {
        page.setText(text);
        page.setOnAction(e -> open.run());
        page.setVisible(true);
        bannerBar.setVisible(true);
    }

    /** Takes the banner and the page link away (the window now shows the user's own seeder). */
    public void clearBanner() {
        banner.setText("");
        page.setVisible(false);
        bannerBar.setVisible(false);
    }

    /** Removes the tabs added with {@link #addTab} (the node's own views stay). */
    public void removeExtraTabs() {
        tabs.getTabs().remove(views.size(), tabs.getTabs().size());
    }

    /** Brings the tab titled {@code title} forward. */
    public void select(String title) {
        tabs.getTabs().stream().filter(t -> t.getText().equals(title)).findFirst()
                .ifPresent(t -> tabs.getSelectionModel().select(t));
    }

    public List<Tab> tabs() {
        return List.copyOf(tabs.getTabs());
    }

    public Parent root() {
        return root;
    }

    /** The last snapshot shown, or null before the first. */
    public NodeSnapshot lastSnapshot() {
        return last;
    }

    public OverviewModel overview() {
        return overview;
    }

    public PeersModel peers() {
        return peers;
    }

    public TransfersModel transfers() {
        return transfers;
    }

    public HashChecksModel hashChecks() {
        return hashChecks;
    }

    public SwarmModel swarm() {
        return swarm;
    }

    public SwarmCanvasView swarmView() {
        return swarmView;
    }
}
