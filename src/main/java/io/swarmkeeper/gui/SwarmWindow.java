package io.swarmkeeper.gui;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/** The main window's content: connection state, the peers table and a log of events. */
public final class SwarmWindow {
    private final BorderPane root = new BorderPane();

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
        TableColumn<SwarmView.PeerRow, String> state = new TableColumn<>("State");
        state.setCellValueFactory(row -> row.getValue().stateProperty());
        state.setPrefWidth(280);
        TableColumn<SwarmView.PeerRow, Number> up = new TableColumn<>("Sent (bytes)");
        up.setCellValueFactory(row -> row.getValue().uploadedProperty());
        up.setPrefWidth(120);
        TableColumn<SwarmView.PeerRow, Number> down = new TableColumn<>("Received (bytes)");
        down.setCellValueFactory(row -> row.getValue().downloadedProperty());
        down.setPrefWidth(120);
        peers.getColumns().add(id);
        peers.getColumns().add(state);
        peers.getColumns().add(up);
        peers.getColumns().add(down);

        ListView<String> log = new ListView<>(view.log());
        log.setId("log");
        log.setPrefHeight(220);

        HBox status = new HBox(24, connection, checks);
        status.setPadding(new Insets(8));
        root.setTop(status);
        root.setCenter(peers);
        VBox bottom = new VBox(log);
        bottom.setPadding(new Insets(4, 0, 0, 0));
        root.setBottom(bottom);
    }

    public Parent root() {
        return root;
    }
}
