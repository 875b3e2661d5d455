package io.swarmkeeper.desktop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The run postinst dumps the class-data archive from: it must start a seeder and reach the window's classes. */
class StartupTrainingTest {
    @Test
    void startsASeederOnLoopbackAndLoadsTheWindowClassesLeavingNoStoreBehind() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = trainingFolders(tmp);

        int loaded = StartupTraining.run();

        // the app's own classes and JavaFX's controls, at the least (5,000+ with webrtc-java's)
        assertTrue(loaded > 3_000, "classes loaded: " + loaded);
        assertTrue(trainingFolders(tmp) <= before, "the training store was deleted");
    }

    private static long trainingFolders(Path tmp) throws Exception {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("swarmkeeper-training-")).count();
        }
    }
}
