package io.swarmkeeper.cli;

import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a local demo swarm (signaling server, website origin, seeder and a visiting",
                "leecher, all on loopback) and opens the Swarmkeeper window on it. This is also what",
                "swarmkeeper does with no command."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--headless", description = "No window: print the seeder's events on stdout instead.")
    boolean headless;

    @Option(names = "--store", paramLabel = "DIR", description = "Store of the demo seeder (default: a new temporary directory).")
    Path store;

    @Override
    public Integer call() throws Exception {
        Path storeDir = store != null ? store : Files.createTempDirectory("swarmkeeper-demo-");
        if (!headless) {
            return openWindow(null, true, storeDir);
        }
        SwarmEvents events = new SwarmEvents();
        events.subscribe(DemoCommand::print);
        DemoSwarm swarm = DemoSwarm.start(events, storeDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            swarm.close();
            stopped.countDown();
        }, "demo-shutdown"));
        System.out.println("demo swarm running: signaling " + swarm.serverUrl() + ", origin " + swarm.origin().base());
        stopped.await();
        return 0;
    }

    /**
     * Opens the window (the user's seeder unless {@code demo}, or when they configured none: the
     * demo swarm). A second launch asks the first instance to show its window and exits 0.
     */
    static int openWindow(Path config, boolean demo, Path demoStore) throws Exception {
        Path storeDir = demoStore != null ? demoStore : Files.createTempDirectory("swarmkeeper-demo-");
        if (io.swarmkeeper.gui.SwarmkeeperApp.launch(config, demo, storeDir)) {
            System.err.println("swarmkeeper: another Swarmkeeper window runs for this user; it was brought forward");
        }
        return 0;
    }

    private static void print(SwarmEvent event) {
        System.out.println(event);
    }
}
