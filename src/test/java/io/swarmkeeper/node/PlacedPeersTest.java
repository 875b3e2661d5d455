package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.geo.GeoSamples;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.TestNetwork;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeder and a fetcher learn where the other is, and why they were matched: each reaches a
 * server with proximity pairing through a reverse proxy of its own that names its client's
 * public address (X-Forwarded-For), the way a deployment behind a proxy places its peers.
 */
@Timeout(90)
class PlacedPeersTest {
    @TempDir
    Path dir;

    @Test
    void bothEndsOfALinkSeeTheOthersCityAndWhyTheyWereMatched() throws Exception {
        TestNetwork.requireIsolatedOrAllowed();
        List<AutoCloseable> open = new CopyOnWriteArrayList<>();
        try {
            SignalingServer server = new SignalingServer(ServerConfig.builder().host("127.0.0.1").port(0)
                    .geoCityFiles(List.of(GeoSamples.city())).geoAsnFiles(List.of(GeoSamples.asnV4()))
                    .trustedProxies(List.of("127.0.0.0/8")).build()).start();
            open.add(server);
            ForwardingProxy london = new ForwardingProxy(server.port(), "81.2.69.7");
            ForwardingProxy hanover = new ForwardingProxy(server.port(), "193.99.144.85");
            open.add(london);
            open.add(hanover);
            DemoOrigin origin = DemoOrigin.start();
            open.add(origin::close);
            ResourceId id = origin.add("photo.jpg", DemoOrigin.sampleBytes(14, 200_000));

            SwarmEvents seederBus = new SwarmEvents();
            List<SwarmEvent> seederEvents = new CopyOnWriteArrayList<>();
            seederBus.subscribe(seederEvents::add);
            Seeder seeder = Seeder.builder(london.uri(), dir.resolve("seeder")).events(seederBus)
                    .originAddresses(AddressPolicy.PRIVATE_ALLOWED)
                    .manifest("test", new Manifest(List.of(new Manifest.Entry(origin.url("photo.jpg"), id)))).start();
            open.add(seeder::close);
            Poll.until(Duration.ofSeconds(10), "the seeder to hold it", () -> server.holds(seeder.peerId(), id));

            SwarmEvents fetcherBus = new SwarmEvents();
            List<SwarmEvent> fetcherEvents = new CopyOnWriteArrayList<>();
            fetcherBus.subscribe(fetcherEvents::add);
            Path staging = java.nio.file.Files.createDirectories(dir.resolve("fetcher"));
            Fetcher fetcher = new Fetcher(hanover.uri(), staging, Fetcher.Options.defaults(), fetcherBus);
            open.add(fetcher::close);
            fetcher.connect();
            FetchResult result = fetcher.fetch(id, null);
            result.file().close();
            assertEquals("peer:" + seeder.peerId(), result.source());

            SwarmEvent.PeerLinked toSeeder = linked(fetcherEvents, seeder.peerId());
            assertEquals("distance", toSeeder.matchReason());
            assertEquals(new Message.Place("London", "GB"), toSeeder.place(), "from the match");
            Poll.until(Duration.ofSeconds(5), "the seeder's link event", () -> linkedOrNull(seederEvents, fetcher.peerId()) != null);
            SwarmEvent.PeerLinked toFetcher = linked(seederEvents, fetcher.peerId());
            assertEquals("distance", toFetcher.matchReason());
            assertEquals(new Message.Place("Hanover", "DE"), toFetcher.place(), "from the relayed signals");
            assertTrue(london.forwarded() > 0 && hanover.forwarded() > 0);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static SwarmEvent.PeerLinked linkedOrNull(List<SwarmEvent> events, String peer) {
        return events.stream().filter(e -> e instanceof SwarmEvent.PeerLinked p && p.peerId().equals(peer))
                .map(e -> (SwarmEvent.PeerLinked) e).findFirst().orElse(null);
    }

    private static SwarmEvent.PeerLinked linked(List<SwarmEvent> events, String peer) {
        SwarmEvent.PeerLinked p = linkedOrNull(events, peer);
        if (p == null) {
            throw new AssertionError("no PeerLinked for " + peer + " in " + events);
        }
        return p;
    }

    /**
     * A reverse proxy in miniature: forwards each connection to the server, adding an
     * {@code X-Forwarded-For} line to its request head, then copies bytes both ways.
     */
    private static final class ForwardingProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        private final int target;
        private final String client;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile int forwarded;

        ForwardingProxy(int target, String client) throws IOException {
            this.target = target;
            this.client = client;
            Thread accept = new Thread(this::acceptLoop, "proxy-" + client);
            accept.setDaemon(true);
            accept.start();
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + listener.getLocalPort());
        }

        int forwarded() {
            return forwarded;
        }

        private void acceptLoop() {
            try {
                while (true) {
                    Socket in = listener.accept();
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(in);
                    sockets.add(out);
                    Thread t = new Thread(() -> relay(in, out), "proxy-conn");
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void relay(Socket in, Socket out) {
            try {
                InputStream from = in.getInputStream();
                OutputStream to = out.getOutputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                int b;
                while ((b = from.read()) >= 0) {
                    head.write(b);
                    byte[] h = head.toByteArray();
                    int n = h.length;
                    if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                        break;
                    }
                }
                String request = head.toString(StandardCharsets.ISO_8859_1);
                String withHeader = request.substring(0, request.length() - 2) + "X-Forwarded-For: " + client + "\r\n\r\n";
                to.write(withHeader.getBytes(StandardCharsets.ISO_8859_1));
                to.flush();
                forwarded++;
                Thread back = new Thread(() -> copy(out, in), "proxy-back");
                back.setDaemon(true);
                back.start();
                copy(in, out);
            } catch (IOException e) {
                // one side closed
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException e) {
                // closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException e) {
                    // already closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
