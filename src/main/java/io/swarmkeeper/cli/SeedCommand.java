package io.swarmkeeper.cli;

import io.swarmkeeper.node.Manifest;
import io.swarmkeeper.node.SeederConfig;
import io.swarmkeeper.node.SeederNode;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.store.ContentStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "seed", mixinStandardHelpOptions = true,
        description = {"Runs a headless seeder until stopped: fetches each manifest resource from its origin,",
                "verifies it against its hash, keeps it in the H2 store under --store, announces it to the",
                "signaling server and serves it to peers. Bytes that fail the hash are logged and not stored."})
final class SeedCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "Signaling server, ws://host:port.")
    URI server;

    @Option(names = "--store", required = true, paramLabel = "DIR", description = "Directory of the content store.")
    Path store;

    @Option(names = "--manifest", paramLabel = "FILE_OR_URL",
            description = "Manifest {\"resources\":[{\"url\":…,\"hash\":…}]}, a file or an http(s) URL. Optional: without it the seeder serves what its store holds.")
    String manifest;

    @Option(names = "--upload-slots", defaultValue = "4", description = "Uploads at once (default: ${DEFAULT-VALUE}).")
    int uploadSlots;

    @Override
    public Integer call() throws Exception {
        SeederConfig config = new SeederConfig(server, store, uploadSlots);
        Manifest toSeed = manifest == null ? null : Manifest.load(manifest);
        ContentStore contentStore = ContentStore.open(store);
        SeederNode seeder;
        try {
            seeder = new SeederNode(config, contentStore, new SwarmEvents()).start();
        } catch (Exception e) {
            contentStore.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            seeder.close();
            contentStore.close();
            stopped.countDown();
        }, "seed-shutdown"));
        if (toSeed != null) {
            SeederNode.SeedReport report = seeder.seed(toSeed);
            System.err.println("swarmkeeper seed: " + report.stored() + " stored, " + report.alreadyHeld()
                    + " already held, " + report.failures().size() + " failed");
        }
        System.out.println("seeding " + contentStore.list().size() + " resources as peer " + seeder.peerId()
                + " on " + server);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
