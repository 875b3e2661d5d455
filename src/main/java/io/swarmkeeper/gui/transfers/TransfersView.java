package io.swarmkeeper.gui.transfers;

import io.swarmkeeper.gui.Palette;
import io.swarmkeeper.gui.TabView;
import io.swarmkeeper.gui.table.RowsInFront;
import io.swarmkeeper.monitor.NodeSnapshot.TransferPhase;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;

/** The transfers tab: uploads and downloads with their progress, speed, peer and state; filterable. */
public final class TransfersView implements TabView {
    private final BorderPane root = new BorderPane();
    private final TransfersModel model;
    private final TableView<TransfersModel.TransferRow> table;

    public TransfersView(TransfersModel model) {
        this.model = model;
        ComboBox<TransfersModel.Filter> filter = new ComboBox<>();
        filter.setId("transfers-filter");
        filter.getItems().setAll(TransfersModel.Filter.values());
        filter.valueProperty().bindBidirectional(model.filterProperty());
        HBox bar = new HBox(8, new Label("Show"), filter);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));

        table = new TableView<>(model.rows());
        table.setId("transfers");
        table.setPlaceholder(new Label("No transfers yet"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        // Rows of one height: the table then need not measure rows to size its scroll bar.
        table.setFixedCellSize(24);
        TableColumn<TransfersModel.TransferRow, String> direction = text("Way", 55,
                r -> new ReadOnlyStringWrapper(r.direction() == Direction.UPLOAD ? "↑ up" : "↓ down"));
        direction.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setTextFill(item != null && item.startsWith("↑") ? Palette.UPLOAD : Palette.DOWNLOAD);
            }
        });
        table.getColumns().add(direction);
        table.getColumns().add(text("Resource", 120, r -> new ReadOnlyStringWrapper(r.id().shortForm())));
        table.getColumns().add(text("Peer", 100, r -> new ReadOnlyStringWrapper(r.peerId())));
        TableColumn<TransfersModel.TransferRow, Number> progress = new TableColumn<>("Progress");
        progress.setPrefWidth(160);
        progress.setCellValueFactory(c -> c.getValue().progressProperty());
        progress.setCellFactory(c -> new ProgressCell());
        table.getColumns().add(progress);
        table.getColumns().add(text("Bytes", 130, TransfersModel.TransferRow::doneProperty));
        table.getColumns().add(text("Speed", 90, TransfersModel.TransferRow::speedProperty));
        table.getColumns().add(text("State", 170, TransfersModel.TransferRow::stateProperty));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(TransfersModel.TransferRow item, boolean empty) {
                super.updateItem(item, empty);
                setStyle(!empty && item != null && item.phaseProperty().get() == TransferPhase.FAILED
                        ? "-fx-background-color: #fde7e6;" : "");
            }
        });
        root.setTop(bar);
        root.setCenter(table);
    }

    /** A progress bar that follows its row's progress. */
    static final class ProgressCell extends TableCell<TransfersModel.TransferRow, Number> {
        private final ProgressBar bar = new ProgressBar();

        ProgressCell() {
            bar.setMaxWidth(Double.MAX_VALUE);
            setContentDisplay(javafx.scene.control.ContentDisplay.GRAPHIC_ONLY);
        }

        @Override
        protected void updateItem(Number value, boolean empty) {
            super.updateItem(value, empty);
            if (empty || value == null) {
                setGraphic(null);
            } else {
                bar.setProgress(value.doubleValue());
                setGraphic(bar);
            }
        }

        ProgressBar bar() {
            return bar;
        }
    }

    private static TableColumn<TransfersModel.TransferRow, String> text(String title, double width,
            Function<TransfersModel.TransferRow, ObservableValue<String>> value) {
        TableColumn<TransfersModel.TransferRow, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(c -> value.apply(c.getValue()));
        return column;
    }

    @Override
    public Node root() {
        return root;
    }

    @Override
    public void drawWhile(ObservableBooleanValue inFront) {
        RowsInFront.bind(table, model.rows(), inFront);
    }
}
