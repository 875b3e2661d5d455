package io.swarmkeeper.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code swarmkeeper}: the command line. With no subcommand it opens the desktop window: the
 * user's seeder when the settings file describes one, else an embedded demo swarm. Each subcommand is a thin face over the core packages.
 */
@Command(name = "swarmkeeper",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
                "Peer-to-peer delivery of website resources, verified by hash.",
                "With no command, opens the Swarmkeeper window: your seeder, as the settings file",
                "(--config) describes it, or a local demo swarm until you add a site."},
        subcommands = {
                ServerCommand.class,
                SeedCommand.class,
                FetchCommand.class,
                HashCommand.class,
                KeygenCommand.class,
                SignCommand.class,
                StoreCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        return DemoCommand.openWindow(config.config, false, null);
    }

    public static void main(String[] args) {
        CommandLine cli = commandLine();
        try {
            cli.setDefaultValueProvider(ConfigDefaults.load(args, System.getenv()));
        } catch (java.io.IOException e) {
            System.err.println("swarmkeeper: " + e.getMessage());
            System.exit(2);
        }
        int code = cli.execute(args);
        StdOut.release();
        System.exit(code);
    }

    /** The configured command line; tests run it in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("swarmkeeper " + cmd.getCommandName() + ": " + (e.getMessage() == null ? e : e.getMessage()));
            return 1;
        });
        SettingErrors.install(cli);
        return cli;
    }
}
