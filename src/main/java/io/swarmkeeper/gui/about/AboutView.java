package io.swarmkeeper.gui.about;

import java.util.List;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
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
        TableView<AboutModel.Library> libraries = new TableView<>();
        libraries.setId("about-libraries");
        libraries.getColumns().addAll(List.of(column("Library", AboutModel.Library::name, 140),
                column("Version", AboutModel.Library::version, 90), column("Licence", AboutModel.Library::licence, 360),
                column("Artifacts", AboutView::artifactIds, 360)));
        libraries.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        libraries.getItems().setAll(model.libraries());
        libraries.setFixedCellSize(24);
        libraries.setPrefHeight(30 + 24 * model.libraries().size());
        Label bundled = new Label("Bundled libraries and their licences:");
        root = new VBox(8, version, summary, bundled, libraries);
        root.setPadding(new Insets(12));
    }

    private static TableColumn<AboutModel.Library, String> column(String title, Function<AboutModel.Library, String> value,
                                                                  double width) {
        TableColumn<AboutModel.Library, String> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> new ReadOnlyStringWrapper(value.apply(c.getValue())));
        column.setPrefWidth(width);
        return column;
    }

    /** The artifacts without their group: {@code javafx-controls, javafx-graphics}. */
    private static String artifactIds(AboutModel.Library library) {
        return String.join(", ", library.artifacts().stream().map(a -> a.substring(a.indexOf(':') + 1)).toList());
    }

    public Parent root() {
        return root;
    }
}
