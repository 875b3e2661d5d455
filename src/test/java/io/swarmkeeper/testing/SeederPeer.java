package io.swarmkeeper.testing;

import io.swarmkeeper.demo.LyingSource;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SeederNode;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.transfer.MessageSink;
import io.swarmkeeper.transfer.TransferMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.concurrent.CopyOnWriteArrayList;

/** A seeder of the test swarm: a real {@link Seeder}, assembled as {@code seed} assembles one, over a real H2 store. */
public final class SeederPeer implements AutoCloseable {
    private final Seeder seeder;
    private final Path dir;
    private final Kind kind;
    private final String[] names;
    private final List<SwarmEvent> events;

    private SeederPeer(Seeder seeder, Path dir, Kind kind, String[] names, List<SwarmEvent> events) {
        this.seeder = seeder;
        this.dir = dir;
        this.kind = kind;
        this.names = names;
        this.events = events;
    }

    /** How a test seeder behaves. */
    enum Kind { HONEST, LIAR, BREAKS_PROTOCOL, STALLS, FORGES_HASHES, SMALL_CHUNKS }

    static SeederPeer start(Swarm swarm, Path dir, Kind kind, String... names) throws IOException {
        SwarmEvents bus = new SwarmEvents();
        List<SwarmEvent> events = new CopyOnWriteArrayList<>();
        bus.subscribe(events::add);
        UnaryOperator<MessageSink> wire = switch (kind) {
            case BREAKS_PROTOCOL -> SeederPeer::shiftChunks;
            case STALLS -> SeederPeer::answerButSendNothing;
            case FORGES_HASHES -> SeederPeer::forgePieceHashes;
            case SMALL_CHUNKS -> SeederPeer::smallChunks;
            default -> UnaryOperator.identity();
        };
        List<Manifest.Entry> entries = new ArrayList<>();
        for (String name : names) {
            entries.add(new Manifest.Entry(swarm.origin().url(name), swarm.origin().resources().get(name)));
        }
        Seeder seeder = Seeder.builder(swarm.serverUri(), dir)
                .events(bus)
                .label(dir.getFileName().toString())
                .originAddresses(AddressPolicy.PRIVATE_ALLOWED) // the swarm's origin is on loopback
                .serving(store -> kind == Kind.LIAR ? new LyingSource(store) : store)
                .wire(wire)
                .manifest("test manifest", new Manifest(entries))
                .start();
        SeederPeer peer = new SeederPeer(seeder, dir, kind, names, events);
        try {
            SeederNode.SeedReport report = seeder.reports().get("test manifest");
            if (!report.failures().isEmpty()) {
                throw new IOException("seeder could not take its resources: " + report.failures());
            }
            for (String name : names) {
                swarm.awaitHolder(swarm.origin().resources().get(name), seeder.peerId());
            }
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    public String id() {
        return seeder.peerId();
    }

    /** Where its store lives. */
    public Path directory() {
        return dir;
    }

    /** The same seeder started again on the same store, as a restarted process would be. */
    SeederPeer restart(Swarm swarm, Swarm.WhileStopped whileStopped) throws IOException {
        close();
        whileStopped.run(dir);
        return start(swarm, dir, kind, names);
    }

    public ContentStore store() {
        return seeder.store();
    }

    /** The seeding role (what the tests configure and ask). */
    public SeederNode node() {
        return seeder.seeder();
    }

    /** The whole assembly: node, store, manifests. */
    public Seeder seeder() {
        return seeder;
    }

    public List<SwarmEvent> events() {
        return events;
    }

    @Override
    public void close() {
        seeder.close();
    }

    /** Sends true bytes but piece hashes with one bit changed: hashes that cannot be proven. */
    private static MessageSink forgePieceHashes(MessageSink link) {
        return bytes -> {
            TransferMessage m = TransferMessage.decode(bytes);
            if (m instanceof TransferMessage.Hashes h) {
                List<byte[]> pieces = new ArrayList<>(h.pieces());
                byte[] forged = pieces.get(0).clone();
                forged[0] ^= 1;
                pieces.set(0, forged);
                link.send(TransferMessage.encode(new TransferMessage.Hashes(h.requestId(), h.firstPiece(), pieces, h.proof())));
            } else {
                link.send(bytes);
            }
        };
    }

    /** Answers requests, then sends none of the bytes: a peer that stalls. */
    private static MessageSink answerButSendNothing(MessageSink link) {
        return bytes -> {
            TransferMessage m = TransferMessage.decode(bytes);
            if (!(m instanceof TransferMessage.Chunk) && !(m instanceof TransferMessage.End)) {
                link.send(bytes);
            }
        };
    }

    /**
     * Sends every CHUNK as several of 10,000 bytes (the last shorter): true bytes, as another
     * implementation may cut them; a Merkle piece then arrives in parts.
     */
    private static MessageSink smallChunks(MessageSink link) {
        return bytes -> {
            TransferMessage m = TransferMessage.decode(bytes);
            if (m instanceof TransferMessage.Chunk c) {
                for (int from = 0; from < c.length(); from += 10_000) {
                    int n = Math.min(10_000, c.length() - from);
                    link.send(TransferMessage.encode(new TransferMessage.Chunk(c.requestId(), c.offset() + from,
                            c.array(), c.from() + from, n)));
                }
            } else {
                link.send(bytes);
            }
        };
    }

    /** Sends every CHUNK one byte further on than it belongs: a protocol violation, whatever the bytes. */
    private static MessageSink shiftChunks(MessageSink link) {
        return bytes -> {
            TransferMessage m = TransferMessage.decode(bytes);
            if (m instanceof TransferMessage.Chunk c) {
                link.send(TransferMessage.encode(new TransferMessage.Chunk(c.requestId(), c.offset() + 1, c.data())));
            } else {
                link.send(bytes);
            }
        };
    }
}
