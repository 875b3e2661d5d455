package io.swarmkeeper.gui.table;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;

/**
 * A table of rows sampled from a view-model, laid out with a bar above it and a row of actions
 * below: the shape the Sites, Store and About views share. New rows replace the old only when
 * they differ, and the selected row (by its key) stays selected.
 */
public final class TablePane<R> {
    private final TableView<R> table = new TableView<>();
    private final Function<R, ?> key;

    /** A table with the id {@code id}, showing {@code empty} when it has no rows; rows are told apart by {@code key}. */
    public TablePane(String id, String empty, Function<R, ?> key) {
        this.key = key;
        table.setId(id);
        table.setPlaceholder(new Label(empty));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    }

    /** Adds a column showing {@code value} of each row. */
    public TablePane<R> column(String title, Function<R, ?> value, double width) {
        TableColumn<R, Object> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(value.apply(c.getValue())));
        column.setPrefWidth(width);
        table.getColumns().add(column);
        return this;
    }

    public TableView<R> table() {
        return table;
    }

    /** The selected row, or null. */
    public R selected() {
        return table.getSelectionModel().getSelectedItem();
    }

    /** {@code top} above the table, {@code actions} in a row below it. */
    public BorderPane layout(Node top, Node... actions) {
        BorderPane root = new BorderPane();
        HBox bar = new HBox(8, actions);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(8, 10, 10, 10));
        root.setTop(top);
        root.setCenter(table);
        BorderPane.setMargin(table, new Insets(0, 10, 0, 10));
        root.setBottom(bar);
        return root;
    }

    /** Shows {@code rows} when they differ from those shown, keeping the selection. FX thread. */
    public void show(List<R> rows) {
        if (rows.equals(table.getItems())) {
            return;
        }
        R was = selected();
        table.getItems().setAll(rows);
        if (was != null) {
            Object wanted = key.apply(was);
            rows.stream().filter(r -> Objects.equals(key.apply(r), wanted)).findFirst()
                    .ifPresent(r -> table.getSelectionModel().select(r));
        }
    }
}
