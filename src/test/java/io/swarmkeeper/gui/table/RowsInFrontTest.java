package io.swarmkeeper.gui.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;

@ExtendWith(ApplicationExtension.class)
class RowsInFrontTest {
    @Test
    void aTableBehindItsTabKeepsItsRowsAndCatchesUpWhenItComesForward(FxRobot robot) {
        ObservableList<String> rows = FXCollections.observableArrayList("a", "b");
        TableView<String> table = new TableView<>();
        SimpleBooleanProperty inFront = new SimpleBooleanProperty(true);
        robot.interact(() -> RowsInFront.bind(table, rows, inFront));
        assertEquals(List.of("a", "b"), List.copyOf(table.getItems()));

        robot.interact(() -> rows.add("c"));
        assertEquals(List.of("a", "b", "c"), List.copyOf(table.getItems()), "in front: follows the model");

        robot.interact(() -> {
            table.getSelectionModel().select("b");
            inFront.set(false);
            rows.remove("a");
            rows.add("d");
        });
        assertEquals(List.of("a", "b", "c"), List.copyOf(table.getItems()), "behind: the rows it showed last");
        ObservableList<String> shown = table.getItems();

        robot.interact(() -> inFront.set(true));
        assertEquals(List.of("b", "c", "d"), List.copyOf(table.getItems()), "forward again: the model's rows");
        assertSame(shown, table.getItems(), "the same list, so that the table keeps its cells");
        assertEquals("b", table.getSelectionModel().getSelectedItem(), "the selected row is still selected");
    }
}
