package io.swarmkeeper.gui.settings;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The Settings view: one row per setting (label, field, and beside it what {@code seed} would
 * say is wrong with the value), "minimise to tray" disabled with the reason where there is no
 * tray, and Save, which writes the settings file and applies caps and slots to the running
 * seeder at once. Each field has the id {@code setting-<file key>} (dots as dashes:
 * {@code setting-seed-quota}), its problem {@code problem-<file key>}.
 */
public final class SettingsView {
    private final SettingsModel model;
    private final Executor background;
    private final Map<SettingField, TextInputControl> texts = new EnumMap<>(SettingField.class);
    private final Map<SettingField, CheckBox> switches = new EnumMap<>(SettingField.class);
    private final Map<SettingField, Label> problems = new EnumMap<>(SettingField.class);
    private final Button save = new Button("Save");
    private final Label status = new Label();
    private final ScrollPane root;

    public SettingsView(SettingsModel model, Executor background) {
        this.model = model;
        this.background = background;
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(6);
        grid.getColumnConstraints().addAll(new ColumnConstraints(), new ColumnConstraints(260, 320, Double.MAX_VALUE, Priority.ALWAYS,
                null, true), new ColumnConstraints(200, 360, Double.MAX_VALUE));
        Map<SettingField, String> values = model.texts();
        int row = 0;
        for (SettingField f : SettingField.values()) {
            Control field;
            if (f.isSwitch()) {
                CheckBox box = new CheckBox();
                box.setSelected(Boolean.parseBoolean(values.get(f)));
                box.selectedProperty().addListener((o, was, now) -> check());
                switches.put(f, box);
                field = box;
            } else {
                TextInputControl text = f == SettingField.SERVER_TOKEN ? new PasswordField() : new TextField();
                text.setText(values.get(f));
                text.textProperty().addListener((o, was, now) -> check());
                texts.put(f, text);
                field = text;
            }
            field.setId("setting-" + f.key().replace('.', '-'));
            Label problem = new Label();
            problem.setId("problem-" + f.key().replace('.', '-'));
            problem.setWrapText(true);
            problem.setStyle("-fx-text-fill: #b00020");
            problems.put(f, problem);
            Label label = new Label(f.label() + (f.appliesAtOnce() ? "" : " *"));
            grid.addRow(row++, label, field, problem);
        }
        prompts();
        String noTray = model.trayProblem();
        if (noTray != null) {
            CheckBox tray = switches.get(SettingField.MINIMISE_TO_TRAY);
            tray.setSelected(false);
            tray.setDisable(true);
            Label why = problems.get(SettingField.MINIMISE_TO_TRAY);
            why.setText("Off: " + noTray + ".");
            why.setStyle("-fx-text-fill: #555555");
        }
        save.setId("settings-save");
        save.setDefaultButton(true);
        save.setOnAction(e -> save());
        status.setId("settings-status");
        status.setWrapText(true);
        Label file = new Label("Written to " + model.filePath() + ", which `swarmkeeper seed` reads too. "
                + (model.seederRunning() ? "* takes effect at the next start; the others at once."
                : "The demo swarm runs: these take effect once a signaling server and a store are set and the app starts"
                + " again (* always at a start)."));
        file.setWrapText(true);
        file.setStyle("-fx-text-fill: #555555");
        VBox content = new VBox(10, grid, save, status, file);
        content.setPadding(new Insets(12));
        root = new ScrollPane(content);
        root.setFitToWidth(true);
        check();
    }

    public Parent root() {
        return root;
    }

    private void prompts() {
        texts.get(SettingField.SERVER).setPromptText("wss://signal.example.org");
        texts.get(SettingField.STORE).setPromptText("a folder for the stored resources");
        texts.get(SettingField.QUOTA).setPromptText("e.g. 10GiB; 0: no limit");
        texts.get(SettingField.UPLOAD_RATE).setPromptText("e.g. 2MB; 0: no cap");
        texts.get(SettingField.DEMAND_ORIGINS).setPromptText("https://example.com/static/, … (none: no demand taken)");
        texts.get(SettingField.MANIFEST_REFRESH).setPromptText("e.g. 10m; 0: only when asked");
    }

    private Map<SettingField, String> values() {
        Map<SettingField, String> values = new EnumMap<>(SettingField.class);
        texts.forEach((f, t) -> values.put(f, t.getText()));
        switches.forEach((f, b) -> values.put(f, String.valueOf(b.isSelected())));
        return values;
    }

    /** Shows beside each field what is wrong with it; Save is off while anything is. */
    private void check() {
        Map<SettingField, String> found = model.problems(values());
        problems.forEach((f, label) -> {
            if (f != SettingField.MINIMISE_TO_TRAY || model.trayProblem() == null) {
                label.setText(found.getOrDefault(f, ""));
            }
        });
        save.setDisable(!found.isEmpty());
    }

    private void save() {
        Map<SettingField, String> values = values();
        save.setDisable(true);
        background.execute(() -> {
            String said;
            try {
                SettingsModel.Saved saved = model.save(values);
                said = "Saved." + (saved.appliedNow().isEmpty() ? "" : " Applied now: " + String.join(", ", saved.appliedNow()) + ".")
                        + (saved.atNextStart().isEmpty() ? "" : " At the next start: " + String.join(", ", saved.atNextStart()) + ".");
            } catch (Exception e) {
                said = "Not saved: " + (e.getMessage() == null ? e.toString() : e.getMessage());
            }
            String message = said;
            Platform.runLater(() -> {
                status.setText(message);
                check();
            });
        });
    }
}
