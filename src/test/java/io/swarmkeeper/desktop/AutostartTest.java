package io.swarmkeeper.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start on login: the files each platform reads, written where it reads them; off until enabled. */
class AutostartTest {
    private static final List<String> COMMAND = List.of("/opt/Swarm Keeper/bin/Swarmkeeper", "--x=100%", "a\"b$c\\d");

    @TempDir
    Path dir;

    @Test
    void linuxWritesAnXdgAutostartEntryUnderXdgConfigHome() throws Exception {
        Autostart autostart = Autostart.forPlatform(Map.of("XDG_CONFIG_HOME", dir.toString()), "Linux");
        Path entry = dir.resolve("autostart").resolve("swarmkeeper.desktop");
        assertEquals(entry.toString(), autostart.location());
        assertFalse(autostart.isEnabled(), "off by default");
        autostart.enable(COMMAND);
        assertTrue(autostart.isEnabled());
        assertEquals("""
                [Desktop Entry]
                Type=Application
                Name=Swarmkeeper
                Comment=Seeds your websites to their visitors, peer to peer
                Exec="/opt/Swarm Keeper/bin/Swarmkeeper" "--x=100%%" "a\\\\"b\\\\$c\\\\\\\\d"
                Terminal=false
                X-GNOME-Autostart-enabled=true
                """, Files.readString(entry));
        autostart.disable();
        assertFalse(autostart.isEnabled());
        assertFalse(Files.exists(entry));
        autostart.disable(); // twice is fine
    }

    @Test
    void macWritesALaunchAgent() throws Exception {
        MacLaunchAgent agent = new MacLaunchAgent(dir.resolve("LaunchAgents"));
        assertFalse(agent.isEnabled());
        agent.enable(List.of("/Applications/Swarmkeeper.app/Contents/MacOS/Swarmkeeper", "<&>"));
        assertEquals("""
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
                <plist version="1.0">
                <dict>
                    <key>Label</key>
                    <string>io.swarmkeeper.Swarmkeeper</string>
                    <key>ProgramArguments</key>
                    <array>
                        <string>/Applications/Swarmkeeper.app/Contents/MacOS/Swarmkeeper</string>
                        <string>&lt;&amp;&gt;</string>
                    </array>
                    <key>RunAtLoad</key>
                    <true/>
                    <key>ProcessType</key>
                    <string>Interactive</string>
                </dict>
                </plist>
                """, Files.readString(dir.resolve("LaunchAgents").resolve("io.swarmkeeper.Swarmkeeper.plist")));
        assertTrue(agent.isEnabled());
        agent.disable();
        assertFalse(agent.isEnabled());
    }

    /** reg.exe does not run here: what it would be asked is checked instead. */
    @Test
    void windowsSetsTheUsersRunKeyThroughReg() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        boolean[] present = {false};
        WindowsRunKey key = new WindowsRunKey(args -> {
            calls.add(args);
            switch (args.get(0)) {
                case "add" -> present[0] = true;
                case "delete" -> present[0] = false;
                default -> { }
            }
            return args.get(0).equals("query") && !present[0] ? 1 : 0;
        });
        assertFalse(key.isEnabled());
        key.enable(List.of("C:\\Program Files\\Swarmkeeper\\Swarmkeeper.exe"));
        assertTrue(key.isEnabled());
        key.disable();
        assertEquals(List.of(
                List.of("query", WindowsRunKey.KEY, "/v", "Swarmkeeper"),
                List.of("add", WindowsRunKey.KEY, "/v", "Swarmkeeper", "/t", "REG_SZ", "/d",
                        "\"C:\\Program Files\\Swarmkeeper\\Swarmkeeper.exe\"", "/f"),
                List.of("query", WindowsRunKey.KEY, "/v", "Swarmkeeper"),
                List.of("query", WindowsRunKey.KEY, "/v", "Swarmkeeper"),
                List.of("delete", WindowsRunKey.KEY, "/v", "Swarmkeeper", "/f")), calls);
        assertEquals("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Swarmkeeper", key.location());
    }

    @Test
    void theCurrentCommandStartsWithAJavaOrTheAppLauncher() {
        List<String> command = Autostart.currentCommand();
        assertTrue(command.get(0).endsWith("java") || command.get(0).endsWith("java.exe"), command.toString());
    }
}
