package io.swarmkeeper.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.settings.SeederSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The app's first steps on a Linux layout under a temporary home: log, single instance, settings. */
class DesktopLaunchTest {
    @TempDir
    Path home;

    @Test
    void theFirstLaunchLogsHoldsTheInstanceAndReadsTheSettingsAndASecondShowsIt() throws Exception {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_STATE_HOME", home.resolve("state").toString());
        AtomicInteger shown = new AtomicInteger();
        Optional<DesktopLaunch.Started> first = DesktopLaunch.begin(null, env, "Linux", shown::incrementAndGet);
        assertTrue(first.isPresent());
        DesktopLaunch.Started started = first.get();
        try {
            assertEquals(home.resolve("state/swarmkeeper/swarmkeeper.log"), started.log().file());
            assertEquals(home.resolve("config/swarmkeeper/swarmkeeper.properties"), started.file().path());
            assertEquals(SeederSettings.defaults(), started.settings().current());
            assertNull(started.settingsProblem());
            assertTrue(Files.exists(home.resolve("config/swarmkeeper/instance.lock")));

            assertTrue(DesktopLaunch.begin(null, env, "Linux", () -> { }).isEmpty(), "a second launch goes no further");
            assertEquals(1, shown.get(), "and the first was asked to show itself");
            LoggerFactory.getLogger(DesktopLaunchTest.class).warn("seeding");
            assertTrue(Files.readString(started.log().file()).contains("[WARN] DesktopLaunchTest - seeding"));
        } finally {
            started.instance().close();
            started.log().close();
        }

        Path bad = Files.writeString(home.resolve("bad.properties"), "seed.upload-slots=0\n");
        DesktopLaunch.Started refused = DesktopLaunch.begin(bad, env, "Linux", () -> { }).orElseThrow();
        try {
            assertNull(refused.settings());
            assertEquals("--upload-slots (from configuration file " + bad + ", key seed.upload-slots): upload slots must"
                    + " be 1..32, got 0", refused.settingsProblem());
        } finally {
            refused.instance().close();
            refused.log().close();
        }
    }
}
