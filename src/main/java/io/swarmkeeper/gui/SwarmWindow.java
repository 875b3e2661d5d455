package io.swarmkeeper.gui;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/** The main window's content: connection state, the peers table and a log of events. */
public final class SwarmWindow {
    private final BorderPane root = new BorderPane();
    private final Hyperlink page = new Hyperlink();

    public SwarmWindow(SwarmView view) {
        Label connection = new Label();
        connection.setId("connection");
        connection.textProperty().bind(view.connectionProperty());

        Label checks = new Label();
        checks.setId("hash-checks");
        checks.textProperty().bind(view.hashChecksPassedProperty().asString("hash checks passed: %d")
                .concat(view.hashChecksFailedProperty().asString(", failed: %d")));

        TableView<SwarmView.PeerRow> peers = new TableView<>(view.peers());
        peers.setId("peers");
        peers.setPlaceholder(new Label("No peers linked yet"));
        TableColumn<SwarmView.PeerRow, String> id = new TableColumn<>("Peer");
        id.setCellValueFactory(row -> new ReadOnlyStringWrapper(row.getValue().peerId()));
        id.setPrefWidth(120);
        TableColumn<SwarmView.PeerRow, String> state = new TableColumn<>("State");
        state.setCellValueFactory(row -> row.getValue().stateProperty());
        state.setPrefWidth(220);
        TableColumn<SwarmView.PeerRow, String> matched = new TableColumn<>("Matched");
        matched.setCellValueFactory(row -> row.getValue().matchReasonProperty());
        matched.setPrefWidth(90);
        TableColumn<SwarmView.PeerRow, Number> up = new TableColumn<>("Sent");
        up.setCellValueFactory(row -> row.getValue().uploadedProperty());
        up.setCellFactory(column -> new ByteCountCell());
        up.setPrefWidth(110);
        TableColumn<SwarmView.PeerRow, Number> down = new TableColumn<>("Received");
        down.setCellValueFactory(row -> row.getValue().downloadedProperty());
        down.setCellFactory(column -> new ByteCountCell());
        down.setPrefWidth(110);
        peers.getColumns().add(id);
        peers.getColumns().add(state);
        peers.getColumns().add(matched);
        peers.getColumns().add(up);
        peers.getColumns().add(down);

        ListView<String> log = new ListView<>(view.log());
        log.setId("log");
        log.setPrefHeight(220);

        page.setId("open-page");
        page.setVisible(false);
        HBox status = new HBox(24, connection, checks, page);
        status.setPadding(new Insets(8));
        root.setTop(status);
        root.setCenter(peers);
        VBox bottom = new VBox(log);
        bottom.setPadding(new Insets(4, 0, 0, 0));
        root.setBottom(bottom);
    }

    /**
     * Offers a web page of the swarm (the demo's listing, loaded by the browser client) behind a
     * link in the status line; {@code open} opens it in the system browser. FX thread.
     */
    public void offerPage(String text, Runnable open) {
        page.setText(text);
        page.setOnAction(e -> open.run());
        page.setVisible(true);
    }

    /** Shows a byte count the way people read it: 3.3 MB. */
    static final class ByteCountCell extends TableCell<SwarmView.PeerRow, Number> {
        @Override
        protected void updateItem(Number bytes, boolean empty) {
            super.updateItem(bytes, empty);
            setText(empty || bytes == null ? null : humanBytes(bytes.longValue()));
        }
    }

    static String humanBytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    public Parent root() {
        return root;
    }
}
