package io.swarmkeeper.settings;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Where each platform keeps a user's settings and an app's logs. */
public final class PlatformDirectories {
    private PlatformDirectories() {}

    private enum Os {
        WINDOWS, MAC, OTHER;

        static Os of(String osName) {
            String os = osName.toLowerCase(Locale.ROOT);
            return os.startsWith("windows") ? WINDOWS : os.startsWith("mac") ? MAC : OTHER;
        }
    }

    /**
     * The user's settings: {@code %APPDATA%\Swarmkeeper} on Windows,
     * {@code ~/Library/Application Support/Swarmkeeper} on macOS, and elsewhere
     * {@code $XDG_CONFIG_HOME/swarmkeeper} (by default {@code ~/.config/swarmkeeper}).
     */
    public static Path config(Map<String, String> environment, String osName) {
        return switch (Os.of(osName)) {
            case WINDOWS -> variableOr(environment, "APPDATA", home("AppData", "Roaming")).resolve("Swarmkeeper");
            case MAC -> home("Library", "Application Support", "Swarmkeeper");
            case OTHER -> variableOr(environment, "XDG_CONFIG_HOME", home(".config")).resolve("swarmkeeper");
        };
    }

    /**
     * The app's logs: {@code %LOCALAPPDATA%\Swarmkeeper\logs} on Windows,
     * {@code ~/Library/Logs/Swarmkeeper} on macOS, and elsewhere {@code $XDG_STATE_HOME/swarmkeeper}
     * (by default {@code ~/.local/state/swarmkeeper}).
     */
    public static Path logs(Map<String, String> environment, String osName) {
        return switch (Os.of(osName)) {
            case WINDOWS -> variableOr(environment, "LOCALAPPDATA", home("AppData", "Local")).resolve("Swarmkeeper").resolve("logs");
            case MAC -> home("Library", "Logs", "Swarmkeeper");
            case OTHER -> variableOr(environment, "XDG_STATE_HOME", home(".local", "state")).resolve("swarmkeeper");
        };
    }

    private static Path variableOr(Map<String, String> environment, String name, Path otherwise) {
        String value = environment.get(name);
        return value != null && !value.isBlank() ? Path.of(value) : otherwise;
    }

    private static Path home(String... parts) {
        return Path.of(System.getProperty("user.home"), parts);
    }
}
