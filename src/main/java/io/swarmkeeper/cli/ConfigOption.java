package io.swarmkeeper.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE} option every configurable command shares. Its value is read before
 * parsing, by {@link ConfigDefaults}; the field only makes picocli accept and document it.
 */
final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (Java properties, keys ${COMMAND-NAME}.<option>). Default: $SWARMKEEPER_CONFIG, else swarmkeeper.properties in the user configuration directory if it exists ($XDG_CONFIG_HOME/swarmkeeper or ~/.config/swarmkeeper; %%APPDATA%%\\Swarmkeeper on Windows; ~/Library/Application Support/Swarmkeeper on macOS).")
    Path config;
}
