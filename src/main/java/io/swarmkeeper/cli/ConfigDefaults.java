package io.swarmkeeper.cli;

import io.swarmkeeper.settings.SettingMessages;
import io.swarmkeeper.settings.SettingsFile;
import java.io.IOException;
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

    /** Where the user's settings live by the platform's convention ({@link SettingsFile#userConfigDirectory}). */
    static Path userConfigDirectory(Map<String, String> environment, String osName) {
        return SettingsFile.userConfigDirectory(environment, osName);
    }

    private ConfigDefaults(Map<String, String> environment, Properties file, Path filePath) {
        this.environment = environment;
        this.file = file;
        this.filePath = filePath;
    }

    /** Reads the configuration named by {@code args}, the environment or the platform convention. */
    static ConfigDefaults load(String[] args, Map<String, String> environment) throws IOException {
        SettingsFile.Location where = SettingsFile.locate(explicitConfig(args), environment, System.getProperty("os.name", ""));
        SettingsFile file = new SettingsFile(where.path());
        if (where.required() && !file.exists()) {
            throw new IOException("configuration file " + where.path() + " does not exist");
        }
        return new ConfigDefaults(environment, file.properties(), where.path());
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

    /** The file's keys and values (empty when there is no file). */
    Properties properties() {
        return file;
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
            sources.put(argSpec, SettingMessages.fileSource(filePath, key));
        }
        return value;
    }
}
