package io.swarmkeeper.testing;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Fetcher;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.store.ContentStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A leecher of the test swarm: a real {@link Fetcher} that keeps what it gets in a real H2 store. */
public final class LeecherPeer implements AutoCloseable {
    private final Fetcher fetcher;
    private final ContentStore store;
    private final Swarm swarm;
    private final List<SwarmEvent> events = new CopyOnWriteArrayList<>();

    private LeecherPeer(Swarm swarm, Fetcher fetcher, ContentStore store) {
        this.swarm = swarm;
        this.fetcher = fetcher;
        this.store = store;
    }

    static LeecherPeer start(Swarm swarm, Path dir, Fetcher.Options options) throws IOException {
        SwarmEvents bus = new SwarmEvents();
        Fetcher fetcher = new Fetcher(swarm.serverUri(), dir, options, bus);
        fetcher.setOriginAddresses(AddressPolicy.PRIVATE_ALLOWED); // the swarm's origin is on loopback
        LeecherPeer peer = new LeecherPeer(swarm, fetcher, ContentStore.open(dir.resolve("store")));
        bus.subscribe(peer.events::add);
        fetcher.connect();
        return peer;
    }

    /** Fetches from peers only, and stores what verified. */
    public FetchResult fetch(ResourceId id) throws IOException {
        return keep(fetcher.fetch(id, null));
    }

    /** Fetches from peers, falling back to the origin's copy of {@code name}, and stores what verified. */
    public FetchResult fetch(ResourceId id, String originName) throws IOException {
        URI origin = swarm.origin().url(originName);
        return keep(fetcher.fetch(id, origin));
    }

    private FetchResult keep(FetchResult result) throws IOException {
        try (InputStream in = result.file().open()) {
            store.put(result.id(), in, result.mediaType(), null);
        } finally {
            result.file().close();
        }
        return result;
    }

    public String id() {
        return fetcher.peerId();
    }

    public ContentStore store() {
        return store;
    }

    public Fetcher fetcher() {
        return fetcher;
    }

    public List<SwarmEvent> events() {
        return events;
    }

    @Override
    public void close() {
        fetcher.close();
        store.close();
    }
}
