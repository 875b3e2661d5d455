package io.swarmkeeper.gui.store;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
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
    private final BorderPane root = new BorderPane();
    private final TableView<StoreModel.Row> table = new TableView<>();
    private final Label usage = new Label();
    private final Label status = new Label();
    private final Timeline sampling;

    public StoreView(StoreModel model, Executor background) {
        this.model = model;
        this.background = background;
        table.setId("store-table");
        table.getColumns().addAll(List.of(column("Resource", StoreModel.Row::shortId, 110), column("Size", StoreModel.Row::size, 80),
                column("Media type", StoreModel.Row::mediaType, 130), column("Site", StoreModel.Row::site, 140),
                column("Hits", StoreModel.Row::hits, 60), column("Served", StoreModel.Row::served, 80),
                column("Last access", StoreModel.Row::lastAccess, 150), column("Pinned", r -> r.pinned() ? "pinned" : "", 70)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("The store is empty."));
        usage.setId("store-usage");
        status.setId("store-status");
        Button pin = action("store-pin", "Pin", id -> model.pin(id, true) ? "Pinned: never evicted." : "Gone already.");
        Button unpin = action("store-unpin", "Unpin", id -> model.pin(id, false) ? "Unpinned." : "Gone already.");
        Button remove = action("store-remove", "Remove", id -> model.remove(id)
                ? "Removed; no longer announced." : "Gone already.");
        HBox top = new HBox(16, new Label("Store:"), usage);
        top.setPadding(new Insets(10));
        HBox actions = new HBox(8, pin, unpin, remove, status);
        actions.setAlignment(Pos.CENTER_LEFT);
        actions.setPadding(new Insets(8, 10, 10, 10));
        root.setTop(top);
        root.setCenter(table);
        BorderPane.setMargin(table, new Insets(0, 10, 0, 10));
        root.setBottom(actions);
        sampling = new Timeline(new KeyFrame(Duration.seconds(2), e -> sample()));
        sampling.setCycleCount(Timeline.INDEFINITE);
        sample();
        sampling.play();
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
        button.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        button.setOnAction(e -> {
            StoreModel.Row row = table.getSelectionModel().getSelectedItem();
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

    private static <T> TableColumn<StoreModel.Row, T> column(String title, Function<StoreModel.Row, T> value, double width) {
        TableColumn<StoreModel.Row, T> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(value.apply(c.getValue())));
        column.setPrefWidth(width);
        return column;
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
        if (rows.equals(table.getItems())) {
            return;
        }
        StoreModel.Row selected = table.getSelectionModel().getSelectedItem();
        table.getItems().setAll(rows);
        if (selected != null) {
            rows.stream().filter(r -> r.id().equals(selected.id())).findFirst().ifPresent(r -> table.getSelectionModel().select(r));
        }
    }
}
