package io.swarmkeeper.gui.peers;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.Palette;
import java.util.function.Function;
import javafx.beans.value.ObservableValue;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;

/** The peers tab: a table of the peers this node is linked with, and those that just left, fading. */
public final class PeersView {
    private final TableView<PeersModel.PeerRow> table;

    public PeersView(PeersModel model) {
        table = new TableView<>(model.rows());
        table.setId("peers");
        table.setPlaceholder(new Label("No peers linked yet"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
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
                    setTooltip(new Tooltip(row.distrustReasonProperty().get()));
                    setStyle("-fx-text-fill: " + Palette.css(Palette.FAILURE) + "; -fx-font-weight: bold;");
                } else {
                    setText("ok");
                    setTooltip(null);
                    setStyle("");
                }
            }
        });
        table.getColumns().add(distrusted);
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(PeersModel.PeerRow item, boolean empty) {
                super.updateItem(item, empty);
                opacityProperty().unbind();
                styleProperty().unbind();
                if (empty || item == null) {
                    setOpacity(1);
                    setStyle("");
                } else {
                    // A peer that left is greyed and fades, but stays readable until it goes.
                    opacityProperty().bind(item.fadeProperty().multiply(0.6).add(0.4));
                    styleProperty().bind(javafx.beans.binding.Bindings.when(item.linkedProperty()).then("")
                            .otherwise("-fx-text-background-color: #78909c;"));
                }
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

    public Node root() {
        return table;
    }
}
