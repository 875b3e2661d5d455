package io.swarmkeeper.testing;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.store.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-process swarm of real parts: a signaling server and a website origin on loopback, and
 * as many seeders and leechers as a test asks for, one line each. WebRTC links between them are
 * real webrtc-java connections.
 */
public final class Swarm implements AutoCloseable {
    private SignalingServer server;
    private final DemoOrigin origin;
    private final Path root;
    private final List<AutoCloseable> peers = new ArrayList<>();
    private int counter;

    private Swarm(SignalingServer server, DemoOrigin origin, Path root) {
        this.server = server;
        this.origin = origin;
        this.root = root;
    }

    public static Swarm start() throws IOException {
        return on(new SignalingServer(ServerConfig.loopback(0).toBuilder().demandMinWants(1).build()).start());
    }

    /** A swarm around a server made and started by the caller (one of a cluster, say); closed with the swarm. */
    public static Swarm on(SignalingServer server) throws IOException {
        TestNetwork.requireIsolatedOrAllowed();
        Path root = Files.createTempDirectory("swarm-");
        return new Swarm(server, DemoOrigin.start(), root);
    }

    public SignalingServer server() {
        return server;
    }

    public URI serverUri() {
        return URI.create(server.url());
    }

    public DemoOrigin origin() {
        return origin;
    }

    /** Puts a resource on the origin; returns its id. */
    public ResourceId publish(String name, byte[] body) {
        return origin.add(name, body);
    }

    /** Puts a resource on the origin under an id of the given kind. */
    public ResourceId publish(String name, byte[] body, io.swarmkeeper.content.HashAlgorithm algorithm) {
        return origin.add(name, body, algorithm);
    }

    /** An honest seeder, connected, holding the given origin resources. */
    public SeederPeer seeder(String... names) throws IOException {
        return add(SeederPeer.start(this, dir("seeder"), SeederPeer.Kind.HONEST, names));
    }

    /** A seeder that holds the true bytes but serves them with one byte in every 64 KiB flipped. */
    public SeederPeer lyingSeeder(String... names) throws IOException {
        return add(SeederPeer.start(this, dir("liar"), SeederPeer.Kind.LIAR, names));
    }

    /** A seeder that serves true bytes but breaks the transfer protocol: each range's chunks come one byte off. */
    public SeederPeer protocolBreaker(String... names) throws IOException {
        return add(SeederPeer.start(this, dir("breaker"), SeederPeer.Kind.BREAKS_PROTOCOL, names));
    }

    /** Done to a seeder's store directory while the seeder is stopped. */
    @FunctionalInterface
    public interface WhileStopped {
        void run(Path storeDirectory) throws IOException;
    }

    /**
     * Stops {@code seeder} (node and store), runs {@code whileStopped} on its store directory,
     * and starts it again there with the same manifest, as a restart of its process would; the
     * new one joins the swarm.
     */
    public SeederPeer restart(SeederPeer seeder, WhileStopped whileStopped) throws IOException {
        peers.remove(seeder);
        return add(seeder.restart(this, whileStopped));
    }

    public LeecherPeer leecher() throws IOException {
        return leecher(io.swarmkeeper.node.Fetcher.Options.defaults());
    }

    public LeecherPeer leecher(io.swarmkeeper.node.Fetcher.Options options) throws IOException {
        return add(LeecherPeer.start(this, dir("leecher"), options));
    }

    /** A seeder that sends true bytes in chunks of 10,000 bytes instead of 64 KiB. */
    public SeederPeer smallChunkSeeder(String... names) throws IOException {
        return add(SeederPeer.start(this, dir("small-chunks"), SeederPeer.Kind.SMALL_CHUNKS, names));
    }

    /** A seeder that sends true bytes with piece hashes that do not lead to the root. */
    public SeederPeer hashForger(String... names) throws IOException {
        return add(SeederPeer.start(this, dir("forger"), SeederPeer.Kind.FORGES_HASHES, names));
    }

    /** A seeder that answers every request and then sends no bytes. */
    public SeederPeer staller(String... names) throws IOException {
        return add(SeederPeer.start(this, dir("staller"), SeederPeer.Kind.STALLS, names));
    }

    /**
     * Stops the signaling server and starts a new one on the same port, as an operator's restart
     * would: every peer loses its connection and has to come back.
     */
    public void restartServer() {
        int port = server.port();
        server.close();
        server = new SignalingServer(ServerConfig.loopback(port).toBuilder().demandMinWants(1).build()).start();
    }

    /** Waits (15 s at most) until some peer holds {@code id} at the server. */
    public void awaitHolderOf(ResourceId id) throws InterruptedException {
        Poll.until(Duration.ofSeconds(15), "a holder of " + id.shortForm(), () -> server.holderCount(id) > 0);
    }

    /** Waits until the server lists {@code peerId} among the holders of {@code id}. */
    void awaitHolder(ResourceId id, String peerId) throws IOException {
        try {
            Poll.until(Duration.ofSeconds(5), peerId + " to be registered as holder of " + id.shortForm(),
                    () -> server.holds(peerId, id));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private Path dir(String kind) throws IOException {
        return Files.createDirectories(root.resolve(kind + "-" + (++counter)));
    }

    private <T extends AutoCloseable> T add(T peer) {
        peers.add(peer);
        return peer;
    }

    @Override
    public void close() throws IOException {
        for (AutoCloseable peer : peers) {
            try {
                peer.close();
            } catch (Exception e) {
                throw new IOException("closing " + peer, e);
            }
        }
        origin.close();
        server.close();
        FileTrees.delete(root);
    }
}
