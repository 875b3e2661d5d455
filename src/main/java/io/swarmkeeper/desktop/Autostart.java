package io.swarmkeeper.desktop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Starting the app when the user logs in, the way each platform does it: an XDG autostart entry
 * on Linux, a LaunchAgent on macOS, the user's Run key in the Windows registry. Off until the
 * user turns it on in Settings.
 */
public interface Autostart {
    /** True when the app is set to start at login. */
    boolean isEnabled() throws IOException;

    /** Sets the app to start at login with {@code command} (the program and its arguments). */
    void enable(List<String> command) throws IOException;

    /** The app no longer starts at login. */
    void disable() throws IOException;

    /** Where the setting lives, for people: a file, or a registry key. */
    String location();

    /** This platform's way, for this user. */
    static Autostart forPlatform(Map<String, String> environment, String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        Path home = Path.of(System.getProperty("user.home"));
        if (os.startsWith("windows")) {
            return new WindowsRunKey(WindowsRunKey::run);
        }
        if (os.startsWith("mac")) {
            return new MacLaunchAgent(home.resolve("Library").resolve("LaunchAgents"));
        }
        String xdg = environment.get("XDG_CONFIG_HOME");
        return new XdgAutostart((xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config")).resolve("autostart"));
    }

    /**
     * How this process was started, to start it the same way at login: the launcher jpackage
     * made ({@code jpackage.app-path}), else the Java command and its arguments.
     */
    static List<String> currentCommand() {
        String app = System.getProperty("jpackage.app-path");
        if (app != null && !app.isBlank()) {
            return List.of(app);
        }
        ProcessHandle.Info info = ProcessHandle.current().info();
        String java = info.command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new java.util.ArrayList<>();
        command.add(java);
        command.addAll(List.of(info.arguments().orElse(new String[0])));
        return command;
    }
}
