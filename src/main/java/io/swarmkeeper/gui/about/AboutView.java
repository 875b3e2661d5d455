package io.swarmkeeper.gui.about;

import io.swarmkeeper.gui.table.TablePane;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;

/** The About view: the version, and the bundled libraries with their licences. */
public final class AboutView {
    private final VBox root;

    public AboutView(AboutModel model) {
        Label version = new Label(model.version());
        version.setId("about-version");
        version.setStyle("-fx-font-size: 18px; -fx-font-weight: bold");
        Label summary = new Label(model.summary());
        summary.setWrapText(true);
        TablePane<AboutModel.Library> pane = new TablePane<AboutModel.Library>("about-libraries", "", AboutModel.Library::name)
                .column("Library", AboutModel.Library::name, 140).column("Version", AboutModel.Library::version, 90)
                .column("Licence", AboutModel.Library::licence, 360).column("Artifacts", AboutView::artifactIds, 360);
        pane.show(model.libraries());
        TableView<AboutModel.Library> libraries = pane.table();
        libraries.setFixedCellSize(24);
        libraries.setPrefHeight(30 + 24 * model.libraries().size());
        Label bundled = new Label("Bundled libraries and their licences:");
        root = new VBox(8, version, summary, bundled, libraries);
        root.setPadding(new Insets(12));
    }

    /** The artifacts without their group: {@code javafx-controls, javafx-graphics}. */
    private static String artifactIds(AboutModel.Library library) {
        return String.join(", ", library.artifacts().stream().map(a -> a.substring(a.indexOf(':') + 1)).toList());
    }

    public Parent root() {
        return root;
    }
}
