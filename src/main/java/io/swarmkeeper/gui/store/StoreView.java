package io.swarmkeeper.gui.store;

import io.swarmkeeper.gui.Sampling;
import io.swarmkeeper.gui.table.TablePane;
import java.util.List;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.util.Duration;

/**
 * The Store view: what the store holds, sampled from {@link StoreModel} every two seconds on
 * {@code background} (it reads H2), with pin, unpin and remove for the selected resource, and
 * the quota and use above.
 */
public final class StoreView {
    private final StoreModel model;
    private final Executor background;
    private final TablePane<StoreModel.Row> resources = new TablePane<>("store-table", "The store is empty.", StoreModel.Row::id);
    private final BorderPane root;
    private final Label usage = new Label();
    private final Label status = new Label();
    private final Sampling sampling;

    public StoreView(StoreModel model, Executor background) {
        this.model = model;
        this.background = background;
        resources.column("Resource", StoreModel.Row::shortId, 105).column("Size", StoreModel.Row::size, 70)
                .column("Media type", StoreModel.Row::mediaType, 120).column("Site", StoreModel.Row::site, 260)
                .column("Hits", StoreModel.Row::hits, 45).column("Served", StoreModel.Row::served, 70)
                .column("Last access", StoreModel.Row::lastAccess, 140).column("Pinned", r -> r.pinned() ? "pinned" : "", 60);
        usage.setId("store-usage");
        status.setId("store-status");
        Button pin = action("store-pin", "Pin", id -> model.pin(id, true) ? "Pinned: never evicted." : "Gone already.");
        Button unpin = action("store-unpin", "Unpin", id -> model.pin(id, false) ? "Unpinned." : "Gone already.");
        Button remove = action("store-remove", "Remove", id -> model.remove(id)
                ? "Removed; no longer announced." : "Gone already.");
        HBox top = new HBox(16, new Label("Store:"), usage);
        top.setPadding(new Insets(10));
        root = resources.layout(top, pin, unpin, remove, status);
        sampling = Sampling.every(Duration.seconds(2), this::sample);
    }

    public Parent root() {
        return root;
    }

    public void stop() {
        sampling.stop();
    }

    /** Something done to the selected resource, on {@code background}; says what it did. */
    @FunctionalInterface
    private interface Action {
        String run(String id) throws Exception;
    }

    private Button action(String id, String text, Action action) {
        Button button = new Button(text);
        button.setId(id);
        button.disableProperty().bind(resources.table().getSelectionModel().selectedItemProperty().isNull());
        button.setOnAction(e -> {
            StoreModel.Row row = resources.selected();
            background.execute(() -> {
                String said;
                try {
                    said = row.shortId() + ": " + action.run(row.id());
                } catch (Exception ex) {
                    said = row.shortId() + ": failed: " + ex.getMessage();
                }
                String message = said;
                Platform.runLater(() -> {
                    status.setText(message);
                    sample();
                });
            });
        });
        return button;
    }

    private void sample() {
        background.execute(() -> {
            try {
                List<StoreModel.Row> rows = model.rows();
                String used = model.usage();
                Platform.runLater(() -> show(rows, used));
            } catch (Exception e) {
                Platform.runLater(() -> usage.setText("cannot read the store: " + e.getMessage()));
            }
        });
    }

    private void show(List<StoreModel.Row> rows, String used) {
        usage.setText(used);
        resources.show(rows);
    }
}
