package io.swarmkeeper.gui.overview;

import io.swarmkeeper.gui.Palette;
import io.swarmkeeper.gui.TabView;
import io.swarmkeeper.monitor.NodeSnapshot.SignalingKind;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableStringValue;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The overview tab: how the node stands, its rates over the last minutes, and what its hash checks found. */
public final class OverviewView implements TabView {
    private final VBox root = new VBox(12);
    private final RateChart chart = new RateChart();

    public OverviewView(OverviewModel model) {
        GridPane facts = new GridPane();
        facts.setHgap(16);
        facts.setVgap(6);
        ColumnConstraints names = new ColumnConstraints();
        names.setMinWidth(140);
        ColumnConstraints values = new ColumnConstraints();
        values.setHgrow(Priority.ALWAYS);
        facts.getColumnConstraints().addAll(names, values);
        Label signaling = row(facts, 0, "Signaling", "overview-signaling", model.signalingProperty());
        model.signalingKindProperty().addListener((o, was, kind) -> signaling.setTextFill(
                kind == SignalingKind.CONNECTED ? Palette.SELF
                        : kind == SignalingKind.STARTING ? Palette.TEXT : Palette.FAILURE));
        row(facts, 1, "Peers", "overview-peers", model.peersProperty());
        row(facts, 2, "Rates", "overview-rates", model.ratesProperty());
        row(facts, 3, "Store", "overview-store", model.storeProperty());
        row(facts, 4, "Bytes served", "overview-served", model.servedProperty());
        row(facts, 5, "Hash checks", "overview-checks", model.checksProperty());

        Label meaning = new Label(OverviewModel.FAILURE_MEANING);
        meaning.setId("overview-check-meaning");
        meaning.setWrapText(true);
        meaning.setStyle("-fx-text-fill: #455a64; -fx-font-style: italic;");

        chart.setId("overview-rate-chart");
        model.uploadProperty().addListener((o, was, now) -> chart.show(now, model.downloadProperty().get()));
        VBox.setVgrow(chart, Priority.ALWAYS);

        root.setPadding(new Insets(12));
        root.getChildren().addAll(facts, meaning, chart);
    }

    private static Label row(GridPane grid, int row, String name, String id, ObservableStringValue value) {
        Label label = new Label(name);
        label.setStyle("-fx-font-weight: bold;");
        Label shown = new Label();
        shown.setId(id);
        shown.setWrapText(true);
        shown.textProperty().bind(value);
        grid.add(label, 0, row);
        grid.add(shown, 1, row);
        return shown;
    }

    @Override
    public Node root() {
        return root;
    }

    @Override
    public void drawWhile(ObservableBooleanValue inFront) {
        chart.drawWhile(inFront);
    }
}
