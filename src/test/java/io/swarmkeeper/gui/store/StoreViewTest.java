package io.swarmkeeper.gui.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.testing.TableRows;
import io.swarmkeeper.testing.ViewPng;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Store view over a real H2 store: what it holds, its quota and use, pin, unpin and remove. */
@ExtendWith(ApplicationExtension.class)
@Timeout(60)
class StoreViewTest {
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private ContentStore store;
    private StoreView view;
    private ResourceId photo;
    private ResourceId page;

    @Start
    void start(Stage stage) throws Exception {
        store = ContentStore.open(Files.createTempDirectory("store-view-"), 10_000_000);
        page = put(DemoOrigin.sampleBytes(1, 120_000), "text/html", "https://listing.example/index.html");
        photo = put(DemoOrigin.sampleBytes(2, 2_400_000), "image/jpeg", "https://listing.example/photos/1.jpg");
        put(DemoOrigin.sampleBytes(3, 30_000), "application/json", null);
        store.readAll(photo); // one hit
        // The listing's manifest lists the page; the rest no site lists (a demand, say): their origin's host.
        view = new StoreView(new StoreModel(store, () -> Map.of(page, "https://listing.example/manifest.json")), background);
        stage.setScene(new Scene(view.root(), 1000, 360));
        stage.show();
    }

    private ResourceId put(byte[] body, String type, String origin) throws Exception {
        ResourceId id = ResourceId.of(body);
        store.put(id, new ByteArrayInputStream(body), type, origin);
        return id;
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(view::stop).get();
        background.shutdownNow();
        background.awaitTermination(10, TimeUnit.SECONDS);
        store.close();
    }

    @Test
    void showsWhatTheStoreHoldsAndPinsUnpinsAndRemoves(FxRobot robot) throws Exception {
        TableView<?> table = robot.lookup("#store-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 3);
        assertEquals("2.6 MB of 10.0 MB quota, 3 resources, 0 pinned", robot.lookup("#store-usage").queryAs(Label.class).getText());
        StoreModel.Row first = (StoreModel.Row) table.getItems().get(0);
        assertEquals(photo.text(), first.id(), "most recently used first");
        assertEquals("2.4 MB", first.size());
        assertEquals("image/jpeg", first.mediaType());
        assertEquals("listing.example", first.site());
        assertEquals(1, first.hits());
        StoreModel.Row listed = (StoreModel.Row) table.getItems().stream().filter(r -> ((StoreModel.Row) r).id().equals(page.text()))
                .findFirst().orElseThrow();
        assertEquals("https://listing.example/manifest.json", listed.site());
        assertEquals("2.4 MB", first.served());
        WaitForAsyncUtils.asyncFx(() -> ViewPng.save(table.getScene(), "store")).get();

        assertTrue(TableRows.select(robot, table, 0), "the first row selected");
        robot.clickOn("#store-pin");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> ((StoreModel.Row) table.getItems().get(0)).pinned());
        assertTrue(store.get(photo).orElseThrow().pinned());
        robot.clickOn("#store-unpin");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !((StoreModel.Row) table.getItems().get(0)).pinned());
        assertFalse(store.get(photo).orElseThrow().pinned());
        robot.clickOn("#store-remove");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> table.getItems().size() == 2);
        assertFalse(store.contains(photo));
    }
}
