package io.swarmkeeper.cli;

import io.swarmkeeper.settings.SettingMessages;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * A refused setting names where its value came from: the command line, an environment variable,
 * or the configuration file and key ({@link ConfigDefaults}). Picocli's own messages ("Invalid
 * value for option '--port': …") and the commands' checks after parsing ({@link #invalid}) both
 * pass through here, so a bad {@code SWARMKEEPER_SERVER_PORT} is not mistaken for a bad flag.
 */
final class SettingErrors implements CommandLine.IParameterExceptionHandler {
    static final String COMMAND_LINE = "the command line";

    private final CommandLine.IParameterExceptionHandler standard;

    private SettingErrors(CommandLine.IParameterExceptionHandler standard) {
        this.standard = standard;
    }

    /** Makes {@code cli} name the source of every refused option value. */
    static void install(CommandLine cli) {
        cli.setParameterExceptionHandler(new SettingErrors(cli.getParameterExceptionHandler()));
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) throws Exception {
        return standard.handleParseException(withSource(ex), args);
    }

    /**
     * A bad value for {@code optionName}, found by a command after parsing; {@code message}
     * starts with the option's name. The handler adds where the value came from.
     */
    static ParameterException invalid(CommandSpec spec, String optionName, String message) {
        OptionSpec option = spec.findOption(optionName);
        if (option == null) {
            throw new IllegalArgumentException("no option " + optionName + " in " + spec.qualifiedName());
        }
        return new ParameterException(spec.commandLine(), message, option, null);
    }

    static ParameterException withSource(ParameterException ex) {
        if (!(ex.getArgSpec() instanceof OptionSpec option) || ex instanceof CommandLine.UnmatchedArgumentException
                || ex.getCommandLine() == null) {
            return ex;
        }
        String named = SettingMessages.withSource(option.longestName(), ex.getMessage(),
                sourceOf(ex.getCommandLine(), option));
        return new ParameterException(ex.getCommandLine(), named, ex.getCause(), option, ex.getValue());
    }

    /**
     * Where the value of {@code option} came from. Built-in defaults are valid by construction,
     * so a refused value that neither the environment nor the file gave came from the command line.
     */
    static String sourceOf(CommandLine command, OptionSpec option) {
        ParseResult parsed = command.getParseResult();
        if (parsed != null && parsed.hasMatchedOption(option)) {
            return COMMAND_LINE;
        }
        if (command.getCommandSpec().defaultValueProvider() instanceof ConfigDefaults config) {
            String source = config.sourceOf(option);
            if (source != null) {
                return source;
            }
        }
        return COMMAND_LINE;
    }
}
