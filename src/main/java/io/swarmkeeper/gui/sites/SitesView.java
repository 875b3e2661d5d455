package io.swarmkeeper.gui.sites;

import io.swarmkeeper.gui.Sampling;
import io.swarmkeeper.gui.table.TablePane;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The Sites view: the sites seeded (sampled from {@link SitesModel} every second), a form to
 * add one (manifest URL and trusted key, each checked as {@code seed} checks it, the problem
 * shown beside the field), remove the selected one, and read them all again now. Slow work runs
 * on {@code background}.
 */
public final class SitesView {
    private final SitesModel model;
    private final Executor background;
    private final TablePane<SitesModel.Row> sites = new TablePane<>("sites-table",
            "No sites yet: add one by its manifest URL and the key it is signed with.", SitesModel.Row::manifest);
    private final BorderPane root;
    private final TextField manifest = new TextField();
    private final TextField key = new TextField();
    private final Label manifestProblem = problemLabel("site-manifest-problem");
    private final Label keyProblem = problemLabel("site-key-problem");
    private final Button add = new Button("Add site");
    private final Button remove = new Button("Remove");
    private final Button refresh = new Button("Refresh now");
    private final Label status = new Label();
    private final Sampling sampling;

    public SitesView(SitesModel model, Executor background) {
        this.model = model;
        this.background = background;
        sites.column("Manifest", SitesModel.Row::manifest, 280).column("Signed by", SitesModel.Row::signedBy, 200)
                .column("Resources held", SitesModel.Row::resources, 110)
                .column("Last refresh", SitesModel.Row::lastRefresh, 100).column("Last error", SitesModel.Row::error, 240);

        manifest.setId("site-manifest");
        manifest.setPromptText("https://example.com/manifest.json");
        key.setId("site-key");
        key.setPromptText("ed25519:… (from swarmkeeper keygen, published by the site)");
        manifest.textProperty().addListener((o, was, now) -> check());
        key.textProperty().addListener((o, was, now) -> check());
        add.setId("site-add");
        add.setDefaultButton(true);
        add.setOnAction(e -> add());
        remove.setId("site-remove");
        remove.disableProperty().bind(sites.table().getSelectionModel().selectedItemProperty().isNull());
        remove.setOnAction(e -> remove());
        refresh.setId("sites-refresh");
        refresh.setOnAction(e -> refresh());
        status.setId("site-status");
        status.setWrapText(true);

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(4);
        form.addRow(0, new Label("Manifest URL"), manifest, manifestProblem);
        form.addRow(1, new Label("Trusted key"), key, keyProblem);
        form.add(add, 1, 2);
        GridPane.setHgrow(manifest, Priority.ALWAYS);
        manifest.setPrefColumnCount(36);
        Label heading = new Label("Add a site");
        heading.setStyle("-fx-font-weight: bold");
        VBox top = new VBox(6, heading, form, status);
        top.setPadding(new Insets(10));
        root = sites.layout(top, remove, refresh);
        sampling = Sampling.every(Duration.seconds(1), this::sample);
    }

    public Parent root() {
        return root;
    }

    /** Stops sampling the model (when the view is closed for good). */
    public void stop() {
        sampling.stop();
    }

    private static Label problemLabel(String id) {
        Label label = new Label();
        label.setId(id);
        label.setWrapText(true);
        label.setMaxWidth(380);
        label.setStyle("-fx-text-fill: #b00020");
        return label;
    }

    /** Shows what is wrong with each field that holds something. */
    private void check() {
        SitesModel.Check check = model.check(manifest.getText(), key.getText());
        manifestProblem.setText(manifest.getText().isEmpty() ? "" : orEmpty(check.manifestProblem()));
        keyProblem.setText(key.getText().isEmpty() ? "" : orEmpty(check.keyProblem()));
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private void add() {
        SitesModel.Check check = model.check(manifest.getText(), key.getText());
        if (!check.ok()) {
            manifestProblem.setText(orEmpty(check.manifestProblem()));
            keyProblem.setText(orEmpty(check.keyProblem()));
            return;
        }
        String m = manifest.getText();
        String k = key.getText();
        add.setDisable(true);
        status.setText("Reading " + m.strip() + " and fetching its resources…");
        background.execute(() -> {
            String said;
            boolean added;
            try {
                said = model.add(m, k);
                added = true;
            } catch (Exception e) {
                said = "Not added: " + (e.getMessage() == null ? e.toString() : e.getMessage());
                added = false;
            }
            String message = said;
            boolean done = added;
            Platform.runLater(() -> {
                status.setText(message);
                add.setDisable(false);
                if (done) {
                    manifest.clear();
                    key.clear();
                }
                sample();
            });
        });
    }

    private void remove() {
        SitesModel.Row row = sites.selected();
        background.execute(() -> {
            String said;
            try {
                model.remove(row.manifest());
                said = "Removed " + row.manifest() + ": its resources are no longer announced (kept until evicted).";
            } catch (Exception e) {
                said = "Not removed: " + e.getMessage();
            }
            String message = said;
            Platform.runLater(() -> {
                status.setText(message);
                sample();
            });
        });
    }

    private void refresh() {
        refresh.setDisable(true);
        status.setText("Reading the manifests again…");
        background.execute(() -> {
            String said = model.refreshNow();
            Platform.runLater(() -> {
                status.setText(said);
                refresh.setDisable(false);
                sample();
            });
        });
    }

    private void sample() {
        sites.show(model.rows());
    }
}
