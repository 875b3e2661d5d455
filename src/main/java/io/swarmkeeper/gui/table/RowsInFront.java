package io.swarmkeeper.gui.table;

import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.control.TableView;

/**
 * A table that follows its view-model's rows only while its tab is in front. A hidden table
 * whose rows are added, removed or reordered is still laid out on every pulse; behind its tab it
 * keeps the rows it last showed instead, unchanged, and takes the model's rows again when the tab
 * comes forward. (Taking the rows away altogether would cost more: the table then throws its
 * cells away and builds them again, with their styles, when the rows come back.) The view-model
 * keeps its rows up to date either way.
 */
public final class RowsInFront<R> {
    private final ObservableList<R> rows;
    private final ObservableList<R> shown;
    private final ListChangeListener<R> follow;

    private RowsInFront(ObservableList<R> rows) {
        this.rows = rows;
        this.shown = FXCollections.observableArrayList(rows);
        this.follow = change -> shown.setAll(rows);
    }

    /** Shows {@code rows} in {@code table}, following them while {@code inFront} holds. FX thread. */
    public static <R> void bind(TableView<R> table, ObservableList<R> rows, ObservableBooleanValue inFront) {
        RowsInFront<R> gate = new RowsInFront<>(rows);
        table.setItems(gate.shown);
        gate.follow(inFront.get());
        inFront.addListener((o, was, now) -> gate.follow(now));
    }

    private void follow(boolean front) {
        rows.removeListener(follow);
        if (front) {
            rows.addListener(follow);
            if (!shown.equals(rows)) {
                shown.setAll(rows);
            }
        }
    }
}
