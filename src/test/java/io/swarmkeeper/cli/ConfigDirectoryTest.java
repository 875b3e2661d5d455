package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDirectoryTest {
    private static final String HOME = System.getProperty("user.home");

    @Test
    void followsEachPlatformsConvention() {
        assertEquals(Path.of(HOME, ".config", "swarmkeeper"), ConfigDefaults.userConfigDirectory(Map.of(), "Linux"));
        assertEquals(Path.of("/x/conf", "swarmkeeper"), ConfigDefaults.userConfigDirectory(Map.of("XDG_CONFIG_HOME", "/x/conf"), "Linux"));
        assertEquals(Path.of(HOME, "Library", "Application Support", "Swarmkeeper"),
                ConfigDefaults.userConfigDirectory(Map.of(), "Mac OS X"));
        assertEquals(Path.of("C:/Users/a/AppData/Roaming", "Swarmkeeper"),
                ConfigDefaults.userConfigDirectory(Map.of("APPDATA", "C:/Users/a/AppData/Roaming"), "Windows 11"));
    }
}
