package io.swarmkeeper.demo;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Fetcher;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.node.SeederConfig;
import io.swarmkeeper.node.SeederNode;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.store.ContentStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a newcomer needs to see Swarmkeeper live on one machine: a signaling server and a
 * website origin on loopback, a seeder that fills its store from the origin's manifest, and a
 * visiting leecher that keeps fetching resources from the seeder over WebRTC.
 */
public final class DemoSwarm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoSwarm.class);

    private final SignalingServer server;
    private final DemoOrigin origin;
    private final ContentStore store;
    private final SeederNode seeder;
    private final Thread visitor;
    private volatile boolean running = true;

    private DemoSwarm(SignalingServer server, DemoOrigin origin, ContentStore store, SeederNode seeder) {
        this.server = server;
        this.origin = origin;
        this.store = store;
        this.seeder = seeder;
        this.visitor = new Thread(this::visitLoop, "demo-visitor");
        this.visitor.setDaemon(true);
    }

    /** Starts the swarm; the seeder publishes to {@code events}. */
    public static DemoSwarm start(SwarmEvents events, Path storeDir) throws IOException {
        SignalingServer server = new SignalingServer(ServerConfig.loopback(0)).start();
        DemoOrigin origin = DemoOrigin.start();
        int[] sizes = {180_000, 420_000, 900_000, 1_600_000, 2_500_000, 3_300_000};
        for (int i = 0; i < sizes.length; i++) {
            origin.add("listing/apartment-" + (i + 1) + ".bin", DemoOrigin.sampleBytes(1000 + i, sizes[i]));
        }
        Files.createDirectories(storeDir);
        ContentStore store = ContentStore.open(storeDir);
        SeederNode seeder = new SeederNode(new SeederConfig(URI.create(server.url()), storeDir, 4), store, events);
        DemoSwarm swarm = new DemoSwarm(server, origin, store, seeder);
        try {
            seeder.start();
            seeder.seed(Manifest.load(origin.manifestUrl().toString()));
        } catch (IOException | RuntimeException e) {
            swarm.close();
            throw e;
        }
        swarm.visitor.start();
        log.info("demo swarm up: signaling {} origin {}", server.url(), origin.base());
        return swarm;
    }

    public String serverUrl() {
        return server.url();
    }

    public SeederNode seeder() {
        return seeder;
    }

    public DemoOrigin origin() {
        return origin;
    }

    /** A visitor comes, fetches one resource through the swarm, and goes; again and again. */
    private void visitLoop() {
        List<Map.Entry<String, ResourceId>> resources = new ArrayList<>(origin.resources().entrySet());
        while (running) {
            Map.Entry<String, ResourceId> pick = resources.get(ThreadLocalRandom.current().nextInt(resources.size()));
            try (Fetcher visitor = new Fetcher(URI.create(server.url()), null, Fetcher.Options.defaults(), new SwarmEvents())) {
                FetchResult result = visitor.fetch(pick.getValue(), origin.url(pick.getKey()));
                log.info("demo visitor got {} ({} bytes) from {}", pick.getKey(), result.bytes(), result.source());
                result.file().close();
            } catch (IOException e) {
                log.warn("demo visitor failed: {}", e.getMessage());
            }
            try {
                Thread.sleep(1500 + ThreadLocalRandom.current().nextInt(1500));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        visitor.interrupt();
        seeder.close();
        store.close();
        origin.close();
        server.close();
    }
}
