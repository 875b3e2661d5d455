package io.swarmkeeper.gui.peers;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.Palette;
import io.swarmkeeper.gui.TabView;
import io.swarmkeeper.gui.table.RowsInFront;
import java.util.function.Function;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableValue;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;

/** The peers tab: a table of the peers this node is linked with, and those that just left, fading. */
public final class PeersView implements TabView {
    /** On a row whose peer left. */
    private static final javafx.css.PseudoClass LEFT = javafx.css.PseudoClass.getPseudoClass("left");
    private final PeersModel model;
    private final TableView<PeersModel.PeerRow> table;

    public PeersView(PeersModel model) {
        this.model = model;
        table = new TableView<>(model.rows());
        table.setId("peers");
        table.setPlaceholder(new Label("No peers linked yet"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        // Rows of one height: the table then need not measure rows to size its scroll bar.
        table.setFixedCellSize(24);
        table.getColumns().add(text("Peer", 100, r -> new javafx.beans.property.ReadOnlyStringWrapper(r.peerId())));
        table.getColumns().add(text("Role", 60, PeersModel.PeerRow::roleProperty));
        table.getColumns().add(text("Matched", 70, PeersModel.PeerRow::matchReasonProperty));
        table.getColumns().add(text("Place", 120, PeersModel.PeerRow::placeProperty));
        table.getColumns().add(text("State", 300, PeersModel.PeerRow::stateProperty));
        table.getColumns().add(text("Since", 70, PeersModel.PeerRow::connectedSinceProperty));
        table.getColumns().add(text("Round trip", 75, PeersModel.PeerRow::roundTripProperty));
        table.getColumns().add(bytes("Sent", PeersModel.PeerRow::uploadedProperty));
        table.getColumns().add(bytes("Received", PeersModel.PeerRow::downloadedProperty));
        // The cell's value is the row itself: a cell then always hears when it shows another peer,
        // even one with the same verdict (its tooltip names that peer's reason).
        TableColumn<PeersModel.PeerRow, PeersModel.PeerRow> distrusted = new TableColumn<>("Trust");
        distrusted.setPrefWidth(90);
        distrusted.setCellValueFactory(c -> new javafx.beans.property.ReadOnlyObjectWrapper<>(c.getValue()));
        distrusted.setCellFactory(c -> new TableCell<>() {
            private final javafx.beans.value.ChangeListener<Boolean> onChange = (o, was, now) -> show(getItem());
            private final Tooltip reason = new Tooltip();

            @Override
            protected void updateItem(PeersModel.PeerRow item, boolean empty) {
                PeersModel.PeerRow before = getItem();
                if (before != null) {
                    before.distrustedProperty().removeListener(onChange);
                }
                super.updateItem(item, empty);
                if (!empty && item != null) {
                    item.distrustedProperty().addListener(onChange);
                }
                show(empty ? null : item);
            }

            private void show(PeersModel.PeerRow row) {
                if (row == null) {
                    setText(null);
                    setTooltip(null);
                    setStyle("");
                } else if (row.distrustedProperty().get()) {
                    setText("✖ distrusted");
                    reason.setText(row.distrustReasonProperty().get());
                    setTooltip(reason);
                    setStyle("-fx-text-fill: " + Palette.css(Palette.FAILURE) + "; -fx-font-weight: bold;");
                } else {
                    setText("ok");
                    setTooltip(null);
                    setStyle("");
                }
            }
        });
        table.getColumns().add(distrusted);
        table.getStylesheets().add(PeersView.class.getResource("peers.css").toExternalForm());
        table.setRowFactory(t -> new TableRow<>() {
            private final javafx.beans.value.ChangeListener<Boolean> onLinked = (o, was, now) -> showLinked(now);
            private PeersModel.PeerRow shown;

            @Override
            protected void updateItem(PeersModel.PeerRow item, boolean empty) {
                super.updateItem(item, empty);
                PeersModel.PeerRow next = empty ? null : item;
                if (next == shown) {
                    return;
                }
                if (shown != null) {
                    shown.linkedProperty().removeListener(onLinked);
                }
                shown = next;
                opacityProperty().unbind();
                if (next == null) {
                    setOpacity(1);
                    showLinked(true);
                } else {
                    // A peer that left is greyed and fades, but stays readable until it goes. A
                    // pseudo-class, not an inline style: changing a row's style makes JavaFX
                    // re-resolve the styles of the row and all its cells.
                    opacityProperty().bind(next.fadeProperty().multiply(0.6).add(0.4));
                    next.linkedProperty().addListener(onLinked);
                    showLinked(next.linkedProperty().get());
                }
            }

            private void showLinked(boolean linked) {
                pseudoClassStateChanged(LEFT, !linked);
            }
        });
    }

    private static TableColumn<PeersModel.PeerRow, String> text(String title, double width,
            Function<PeersModel.PeerRow, ObservableValue<String>> value) {
        TableColumn<PeersModel.PeerRow, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(c -> value.apply(c.getValue()));
        return column;
    }

    private static TableColumn<PeersModel.PeerRow, Number> bytes(String title,
            Function<PeersModel.PeerRow, ObservableValue<Number>> value) {
        TableColumn<PeersModel.PeerRow, Number> column = new TableColumn<>(title);
        column.setPrefWidth(75);
        column.setCellValueFactory(c -> value.apply(c.getValue()));
        column.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Number n, boolean empty) {
                super.updateItem(n, empty);
                setText(empty || n == null ? null : Formats.bytes(n.longValue()));
            }
        });
        return column;
    }

    @Override
    public Node root() {
        return table;
    }

    @Override
    public void drawWhile(ObservableBooleanValue inFront) {
        RowsInFront.bind(table, model.rows(), inFront);
    }
}
