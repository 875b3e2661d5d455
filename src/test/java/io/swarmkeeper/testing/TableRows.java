package io.swarmkeeper.testing;

import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import org.testfx.api.FxRobot;

/** Selecting a table's row with the mouse, as a user does, in a test. */
public final class TableRows {
    private TableRows() {}

    /**
     * Clicks the row cell showing row {@code index} of {@code table} until the row is selected
     * (at most 10 s), and returns whether it is. The first row cell in the scene may be an empty
     * one (a table reuses its cells in any order), and a click that comes while the row is laid
     * out, or while a view's sample replaces the rows, can leave nothing selected.
     */
    public static boolean select(FxRobot robot, TableView<?> table, int index) throws InterruptedException {
        long by = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (table.getSelectionModel().getSelectedIndex() != index && System.nanoTime() < by) {
            robot.lookup(".table-row-cell").queryAllAs(TableRow.class).stream()
                    .filter(r -> r.getTableView() == table && r.getIndex() == index && !r.isEmpty()).findFirst()
                    .ifPresent(r -> robot.clickOn((Node) r));
            Thread.sleep(300);
        }
        return table.getSelectionModel().getSelectedIndex() == index;
    }
}
