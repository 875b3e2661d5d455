package io.swarmkeeper.gui.hashchecks;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.Palette;
import io.swarmkeeper.gui.TabView;
import io.swarmkeeper.gui.table.RowsInFront;
import io.swarmkeeper.gui.overview.OverviewModel;
import io.swarmkeeper.monitor.NodeSnapshot.HashCheckEntry;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/** The hash checks tab: every check with its source and hashes; failures stand out. */
public final class HashChecksView implements TabView {
    private final BorderPane root = new BorderPane();
    private final HashChecksModel model;
    private final TableView<HashCheckEntry> table;

    public HashChecksView(HashChecksModel model) {
        this.model = model;
        ComboBox<HashChecksModel.Result> result = new ComboBox<>();
        result.setId("hashchecks-result");
        result.getItems().setAll(HashChecksModel.Result.values());
        result.valueProperty().bindBidirectional(model.resultProperty());
        TextField peer = new TextField();
        peer.setId("hashchecks-peer");
        peer.setPromptText("peer id, or origin");
        peer.textProperty().bindBidirectional(model.peerProperty());
        HBox bar = new HBox(8, new Label("Show"), result, new Label("from"), peer);
        bar.setAlignment(Pos.CENTER_LEFT);
        Label meaning = new Label(OverviewModel.FAILURE_MEANING);
        meaning.setWrapText(true);
        meaning.setStyle("-fx-text-fill: #455a64; -fx-font-style: italic;");
        VBox top = new VBox(6, bar, meaning);
        top.setPadding(new Insets(6, 8, 6, 8));

        table = new TableView<>(model.rows());
        table.setId("hashchecks");
        table.setPlaceholder(new Label("No hash checks yet"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        // Rows of one height: the table then need not measure rows to size its scroll bar.
        table.setFixedCellSize(24);
        table.getColumns().add(column("Time", 70, c -> Formats.clock(c.at())));
        // The cell's value is the check itself, not its words: a cell is then always redrawn when
        // its row holds another check (rows move down as new checks come in at the top).
        TableColumn<HashCheckEntry, HashCheckEntry> verdict = new TableColumn<>("Result");
        verdict.setPrefWidth(80);
        verdict.setCellValueFactory(c -> new javafx.beans.property.ReadOnlyObjectWrapper<>(c.getValue()));
        verdict.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(HashCheckEntry item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null) {
                    setText(null);
                    setStyle("");
                } else if (item.passed()) {
                    setText("✔ passed");
                    setStyle("-fx-text-fill: " + Palette.css(Palette.SELF) + ";");
                } else {
                    setText("✖ FAILED");
                    setStyle("-fx-text-fill: white; -fx-font-weight: bold; -fx-background-color: "
                            + Palette.css(Palette.FAILURE) + ";");
                }
            }
        });
        table.getColumns().add(verdict);
        table.getColumns().add(column("Resource", 110, c -> c.id().shortForm()));
        table.getColumns().add(column("Source", 130, c -> c.fromOrigin() ? "origin" : String.join(", ", c.sourcePeers())));
        table.getColumns().add(hash("Expected", HashCheckEntry::expected));
        table.getColumns().add(hash("Actual", c -> c.actual() != null ? c.actual() : c.passed() ? c.expected() : ""));
        table.getColumns().add(column("Checked by", 90, HashCheckEntry::observer));
        table.getColumns().add(column("Detail", 200, c -> c.detail() == null ? "" : c.detail()));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(HashCheckEntry item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().remove("hashcheck-failed");
                if (!empty && item != null && !item.passed()) {
                    getStyleClass().add("hashcheck-failed");
                    setStyle("-fx-background-color: #fde7e6;");
                } else {
                    setStyle("");
                }
            }
        });
        root.setTop(top);
        root.setCenter(table);
    }

    private static TableColumn<HashCheckEntry, String> column(String title, double width,
            Function<HashCheckEntry, String> value) {
        TableColumn<HashCheckEntry, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(c -> new ReadOnlyStringWrapper(value.apply(c.getValue())));
        return column;
    }

    /** A hash, cut to fit, whole in its tooltip. */
    private static TableColumn<HashCheckEntry, String> hash(String title, Function<HashCheckEntry, String> value) {
        TableColumn<HashCheckEntry, String> column = column(title, 120, value);
        column.setCellFactory(col -> new TableCell<>() {
            // One tooltip per cell, its text changed: a Tooltip is a window of its own, and making
            // one per update was a third of the FX thread's time under a busy swarm.
            private final Tooltip whole = new Tooltip();

            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : Formats.shortHash(item));
                boolean any = !empty && item != null && !item.isEmpty();
                whole.setText(any ? item : "");
                setTooltip(any ? whole : null);
            }
        });
        return column;
    }

    @Override
    public Node root() {
        return root;
    }

    @Override
    public void drawWhile(javafx.beans.value.ObservableBooleanValue inFront) {
        RowsInFront.bind(table, model.rows(), inFront);
    }
}
