package io.swarmkeeper.gui.about;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.testing.ViewPng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The About view: the version, and a licence for every library the pom bundles. */
@ExtendWith(ApplicationExtension.class)
class AboutViewTest {
    private final AboutModel model = new AboutModel();

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(new AboutView(model).root(), 1000, 420));
        stage.show();
    }

    @Test
    void showsTheVersionAndTheLicenceOfEveryBundledLibrary(FxRobot robot) throws Exception {
        assertEquals("Swarmkeeper development build", robot.lookup("#about-version").queryAs(Label.class).getText());
        TableView<?> table = robot.lookup("#about-libraries").queryAs(TableView.class);
        assertEquals(model.libraries(), table.getItems());
        List<String> listed = model.libraries().stream().flatMap(l -> l.artifacts().stream()).toList();
        for (String dependency : bundledDependencies()) {
            assertTrue(listed.contains(dependency), dependency + " is bundled (pom.xml) but About does not list it");
        }
        model.libraries().forEach(l -> assertTrue(!l.licence().isBlank(), l.name()));
        WaitForAsyncUtils.asyncFx(() -> ViewPng.save(table.getScene(), "about")).get();
    }

    /** groupId:artifactId of every dependency in pom.xml that is not for tests. */
    private static List<String> bundledDependencies() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        int managed = pom.indexOf("</dependencyManagement>"); // versions pinned there are not dependencies of their own
        int from = pom.indexOf("<dependencies>", Math.max(0, managed));
        String dependencies = pom.substring(from, pom.indexOf("</dependencies>", from));
        Matcher m = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(dependencies);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            String d = m.group(1);
            if (!d.contains("<scope>test</scope>")) {
                found.add(tag(d, "groupId") + ":" + tag(d, "artifactId"));
            }
        }
        assertTrue(found.size() >= 10, found.toString());
        return found;
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(.*?)</" + name + ">").matcher(xml);
        assertTrue(m.find(), name + " in " + xml);
        return m.group(1).trim();
    }
}
