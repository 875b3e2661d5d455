package io.swarmkeeper.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Fetcher;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything a newcomer needs to see Swarmkeeper live on one machine: a signaling server and a
 * website origin on loopback, the seeder (filling its store from the origin's manifest), a
 * handful of visiting peers that come, fetch a few resources through the swarm and go, again
 * and again, and a dishonest peer that joins now and then and serves altered bytes, so that
 * the window shows transfers, failed hash checks and a distrusted peer from the first seconds.
 */
public final class DemoSwarm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoSwarm.class);
    /** Visiting peers at any one time. */
    static final int VISITORS = 4;

    private final SignalingServer server;
    private final DemoOrigin origin;
    private final SwarmEvents events;
    private final Path storeDir;
    private final List<Thread> threads = new ArrayList<>();
    private volatile Seeder seeder;
    private volatile boolean running = true;

    private DemoSwarm(SignalingServer server, DemoOrigin origin, SwarmEvents events, Path storeDir) {
        this.server = server;
        this.origin = origin;
        this.events = events;
        this.storeDir = storeDir;
    }

    /** Starts the swarm; the seeder publishes to {@code events}, and the visitors their hash checks. */
    public static DemoSwarm start(SwarmEvents events, Path storeDir) throws IOException {
        SignalingServer server = new SignalingServer(ServerConfig.loopback(0).toBuilder().demandMinWants(1).build()).start();
        DemoOrigin origin = DemoOrigin.start();
        origin.setSignalingServer(server.url());
        addListing(origin);
        // Two larger resources, so that transfers take long enough to watch.
        origin.add("listing/tour-360-1.bin", DemoOrigin.sampleBytes(1001, 2_500_000));
        origin.add("listing/tour-360-2.bin", DemoOrigin.sampleBytes(1002, 3_300_000));
        DemoSwarm swarm = new DemoSwarm(server, origin, events, storeDir);
        try {
            swarm.seeder = seederOf(swarm.serverUri(), storeDir, origin)
                    .events(events)
                    .label("demo-seeder")
                    .demandOrigins(List.of(origin.base() + "/"))
                    .start();
        } catch (IOException | RuntimeException e) {
            swarm.close();
            throw e;
        }
        for (int i = 0; i < VISITORS; i++) {
            swarm.spawn("demo-visitor-" + (i + 1), swarm::visitLoop);
        }
        swarm.spawn("demo-liar", swarm::liarLoop);
        log.info("demo swarm up: signaling {} origin {}; the demo page: {}", server.url(), origin.base(), origin.pageUrl());
        return swarm;
    }

    /** The demo's web page (the listing, loaded through the browser client). */
    public URI pageUrl() {
        return origin.pageUrl();
    }

    /**
     * The website of the demo: a real-estate listing ({@code assets/demo/listing.json}, as the
     * site's server writes it, with an {@code img_hash} beside each photo) and its photos.
     */
    public static void addListing(DemoOrigin origin) throws IOException {
        byte[] listing = resource("listing.json");
        origin.add("listing.json", listing);
        JsonNode photos = MessageCodec.mapper().readTree(listing).path("listing").path("photos");
        for (JsonNode photo : photos) {
            String name = photo.path("img").asText();
            ResourceId id = origin.add(name, resource(name));
            if (!id.text().equals(photo.path("img_hash").asText())) {
                throw new IOException("demo listing: " + name + " does not match its img_hash");
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DemoSwarm.class.getResourceAsStream("/demo/" + name)) {
            if (in == null) {
                throw new IOException("demo resource " + name + " is missing from the build");
            }
            return in.readAllBytes();
        }
    }

    /**
     * A seeder of the demo's site: the demo's website is on loopback, and its operator (this
     * class) allows private origins; no quota, no scrub, no refresh (the demo's store is new).
     */
    private static Seeder.Builder seederOf(URI server, Path storeDir, DemoOrigin origin) {
        return Seeder.builder(server, storeDir)
                .originAddresses(AddressPolicy.PRIVATE_ALLOWED)
                .manifest(origin.manifestUrl().toString());
    }

    private URI serverUri() {
        return URI.create(server.url());
    }

    private void spawn(String name, Runnable loop) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    public String serverUrl() {
        return server.url();
    }

    /** The demo's seeder, or null while it starts. */
    public Seeder seeder() {
        return seeder;
    }

    public DemoOrigin origin() {
        return origin;
    }

    /** A visitor comes, fetches one to three resources through the swarm, and goes; again and again. */
    private void visitLoop() {
        List<Map.Entry<String, ResourceId>> resources = new ArrayList<>(origin.resources().entrySet());
        ThreadLocalRandom random = ThreadLocalRandom.current();
        SwarmEvents mine = new SwarmEvents();
        // The window shows the seeder's own events, and what visitors found out about the peers they met.
        mine.subscribe(e -> {
            if (e instanceof SwarmEvent.HashCheck || e instanceof SwarmEvent.PeerDistrusted) {
                events.publish(e);
            }
        });
        while (running) {
            try (Fetcher visitor = new Fetcher(URI.create(server.url()), null, Fetcher.Options.defaults(), mine)) {
                visitor.setOriginAddresses(AddressPolicy.PRIVATE_ALLOWED);
                for (int n = 1 + random.nextInt(3); n > 0 && running; n--) {
                    Map.Entry<String, ResourceId> pick = resources.get(random.nextInt(resources.size()));
                    FetchResult result = visitor.fetch(pick.getValue(), origin.url(pick.getKey()));
                    log.debug("demo visitor got {} ({} bytes) from {}", pick.getKey(), result.bytes(), result.source());
                    result.file().close();
                }
            } catch (IOException | RuntimeException e) {
                log.debug("demo visitor failed: {}", e.getMessage());
            }
            if (!pause(1000 + random.nextInt(3000))) {
                return;
            }
        }
    }

    /** A dishonest peer: holds the true bytes, serves altered ones; stays 20–40 s, leaves for as long. */
    private void liarLoop() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (!pause(3000)) {
            return;
        }
        while (running) {
            Path dir = storeDir.resolve("liar");
            try (Seeder liar = seederOf(serverUri(), dir, origin).label("demo-liar").uploadSlots(2)
                    .serving(LyingSource::new).start()) {
                log.info("demo liar {} joined", liar.peerId());
                if (!pause(20_000 + random.nextInt(20_000))) {
                    return;
                }
                log.info("demo liar {} left", liar.peerId());
            } catch (IOException | RuntimeException e) {
                log.debug("demo liar failed: {}", e.getMessage());
            }
            if (!pause(20_000 + random.nextInt(20_000))) {
                return;
            }
        }
    }

    private boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Seeder s = seeder;
        if (s != null) {
            s.close();
        }
        origin.close();
        server.close();
    }
}
