package io.swarmkeeper.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where options get their values when a flag does not give one, in this order: an environment
 * variable {@code SWARMKEEPER_<COMMAND>_<OPTION>} (e.g. {@code SWARMKEEPER_SERVER_MAX_PEERS}),
 * then the configuration file's key {@code <command>.<option>} (e.g. {@code server.max-peers}),
 * then the option's built-in default. The file is {@code --config FILE}, or
 * {@code $SWARMKEEPER_CONFIG}, or {@code swarmkeeper.properties} in the user's configuration
 * directory ({@link #userConfigDirectory}) when it exists. It remembers which of them gave each
 * value, so that a value refused later names its source ({@link SettingErrors}).
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> environment;
    private final Properties file;
    private final Path filePath;
    /** Where each value this provider gave came from, for messages about it. */
    private final Map<ArgSpec, String> sources = Collections.synchronizedMap(new IdentityHashMap<>());

    /**
     * Where the user's settings live by the platform's convention: {@code %APPDATA%\Swarmkeeper}
     * on Windows, {@code ~/Library/Application Support/Swarmkeeper} on macOS, and elsewhere
     * {@code $XDG_CONFIG_HOME/swarmkeeper} (by default {@code ~/.config/swarmkeeper}).
     */
    static Path userConfigDirectory(Map<String, String> environment, String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        String home = System.getProperty("user.home");
        if (os.startsWith("windows")) {
            String appData = environment.get("APPDATA");
            return (appData != null && !appData.isBlank() ? Path.of(appData) : Path.of(home, "AppData", "Roaming"))
                    .resolve("Swarmkeeper");
        }
        if (os.startsWith("mac")) {
            return Path.of(home, "Library", "Application Support", "Swarmkeeper");
        }
        String xdg = environment.get("XDG_CONFIG_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".config")).resolve("swarmkeeper");
    }

    private ConfigDefaults(Map<String, String> environment, Properties file, Path filePath) {
        this.environment = environment;
        this.file = file;
        this.filePath = filePath;
    }

    /** Reads the configuration named by {@code args}, the environment or the platform convention. */
    static ConfigDefaults load(String[] args, Map<String, String> environment) throws IOException {
        Path path = explicitConfig(args);
        boolean required = path != null;
        if (path == null && environment.get("SWARMKEEPER_CONFIG") != null) {
            path = Path.of(environment.get("SWARMKEEPER_CONFIG"));
            required = true;
        }
        if (path == null) {
            path = userConfigDirectory(environment, System.getProperty("os.name", "")).resolve("swarmkeeper.properties");
        }
        Properties properties = new Properties();
        if (Files.isRegularFile(path)) {
            try (Reader reader = Files.newBufferedReader(path)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("configuration file " + path + " cannot be read: " + e.getMessage(), e);
            }
        } else if (required) {
            throw new IOException("configuration file " + path + " does not exist");
        }
        return new ConfigDefaults(environment, properties, path);
    }

    private static Path explicitConfig(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    Path filePath() {
        return filePath;
    }

    /**
     * Where the value of {@code option} came from when this provider gave it: "environment
     * variable SWARMKEEPER_…" or "configuration file PATH, key command.option"; null when it did not.
     */
    String sourceOf(ArgSpec option) {
        return sources.get(option);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || option.longestName().equals("--config")) {
            return null;
        }
        String command = argSpec.command().qualifiedName(".").replaceFirst("^swarmkeeper\\.?", "");
        String name = option.longestName().replaceFirst("^--", "");
        if (command.isEmpty() || !option.longestName().startsWith("--")) {
            return null;
        }
        String env = "SWARMKEEPER_" + (command + "_" + name).toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
        String value = environment.get(env);
        if (value != null) {
            sources.put(argSpec, "environment variable " + env);
            return value;
        }
        String key = command + "." + name;
        value = file.getProperty(key);
        if (value != null) {
            sources.put(argSpec, "configuration file " + filePath + ", key " + key);
        }
        return value;
    }
}
