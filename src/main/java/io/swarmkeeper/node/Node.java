package io.swarmkeeper.node;

import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.transfer.TransferObserver;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer of the swarm: one connection to the signaling server (so one id), one registry of
 * WebRTC links, one event stream. What the peer does are roles bound to it: fetching (every
 * {@link Fetcher} made on it, sharing its links, what it learned of holders, and its download
 * cap) and serving ({@link SeederNode}: it answers offers and serves over the links it answered).
 * A seeder that also fetches (demand, resources fetched again, its user's own) is one peer with
 * both roles, asking with its own id over its own connection, as the server sees it.
 *
 * <p>Connection: a {@link #persistent} node (a seeder) stays connected, reconnecting with back-off
 * and getting its id back when the server still remembers it; a one-shot node (the {@code fetch}
 * command, a leecher) connects when it first needs to, and again when it finds itself cut off.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final AtomicInteger LABELS = new AtomicInteger();

    private final URI server;
    private final PeerRole role;
    private final String label;
    private final SwarmEvents events;
    private final TransferObserver transfers;
    /** The node's one timer: sweeps its links, paces its downloads to their cap. */
    private final ScheduledExecutorService timer;
    private final PeerLinks links;
    private final Requesting requesting;
    private final List<BiConsumer<SignalingClient, Message.Welcome>> welcomeListeners = new CopyOnWriteArrayList<>();
    private volatile Consumer<Message.Demand> demands;
    private volatile SignalingClient.Options options;
    private volatile SignalingClient signaling;
    /** The id of the last welcome, kept after a disconnection: events still name the node by it. */
    private volatile String lastId;
    private volatile boolean closed;

    /**
     * A node that will connect to {@code server} saying {@code role}; {@code label} names it in
     * events until the server gives it an id (null: "node-N").
     */
    private Node(URI server, PeerRole role, String label, SwarmEvents events, SignalingClient.Options options,
                 String timerName) {
        this.server = server;
        this.role = role;
        this.label = label == null ? "node-" + LABELS.incrementAndGet() : label;
        this.events = events;
        this.options = options;
        this.transfers = events.transfers(this::name);
        this.timer = PeerLinks.timer(timerName);
        this.requesting = new Requesting(this);
        this.links = new PeerLinks(PeerLinks.Outbound.through(() -> signaling), events, this::name,
                requesting.handler(), timer);
    }

    /** A long-running node (a seeder): it reconnects for ever, 0.5 s to 30 s apart. */
    public static Node persistent(URI server, PeerRole role, String label, SwarmEvents events) {
        return new Node(server, role, label, events, SignalingClient.Options.persistent(), "node-timer");
    }

    /** A one-shot node (a fetch): it connects when it needs to, and does not stay connected by itself. */
    public static Node oneShot(URI server, String label, SwarmEvents events) {
        return new Node(server, PeerRole.PEER, label, events,
                SignalingClient.Options.once().withTimeout(Duration.ofSeconds(10)), "fetch-timer");
    }

    /** Its id at the signaling server (the latest, after reconnects), or its label before it had one. */
    public String name() {
        String id = lastId;
        return id == null ? label : id;
    }

    public String label() {
        return label;
    }

    /** Its id at the signaling server, or null before it was welcomed. */
    public String peerId() {
        SignalingClient s = signaling;
        return s == null ? null : s.id();
    }

    public URI server() {
        return server;
    }

    public PeerRole role() {
        return role;
    }

    public SwarmEvents events() {
        return events;
    }

    /** The token to present to a signaling server that admits peers only with one (its next connection on). */
    public void setServerToken(String token) {
        options = options.withToken(token);
    }

    String serverToken() {
        return options.token();
    }

    /**
     * Connects (and waits for the welcome) unless connected already; a persistent node that lost
     * its connection is left to its own reconnection. Fails when the server cannot be reached or
     * refuses us.
     */
    public synchronized Node connect() throws IOException {
        if (closed) {
            throw new IOException("the node is closed");
        }
        SignalingClient s = signaling;
        if (s != null && (s.isConnected() || options.reconnect())) {
            return this;
        }
        if (s != null) {
            s.close(); // a one-shot connection that was lost: a new one
        }
        signaling = SignalingClient.connect(server, role, new Inbox(), options);
        return this;
    }

    public boolean isConnected() {
        SignalingClient s = signaling;
        return s != null && s.isConnected();
    }

    /** Hears every welcome (the first, and each after a reconnect), before anything else is sent on it. */
    void onWelcome(BiConsumer<SignalingClient, Message.Welcome> listener) {
        welcomeListeners.add(listener);
    }

    /** Where the server's demands go (a seeder's); none: they are ignored. */
    void onDemand(Consumer<Message.Demand> handler) {
        demands = handler;
    }

    PeerLinks links() {
        return links;
    }

    Requesting requesting() {
        return requesting;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    TransferObserver transfers() {
        return transfers;
    }

    /** Sends {@code message} to the signaling server; dropped when not connected. */
    void send(Message message) {
        SignalingClient s = signaling;
        if (s != null) {
            s.send(message);
        }
    }

    /** The signaling connection of the moment, or null before {@link #connect}. */
    SignalingClient signaling() {
        return signaling;
    }

    /** The signaling connection's outgoing queue (waiting and dropped messages), or null before {@link #connect}. */
    public SignalingClient.QueueStats signalingQueue() {
        SignalingClient s = signaling;
        return s == null ? null : s.queueStats();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        SignalingClient s = signaling;
        if (s != null) {
            s.close();
            events.publish(new SwarmEvent.Connection(Instant.now(), name(), server.toString(), s.id(), false));
        }
        links.closeAll();
        timer.shutdownNow();
    }

    private final class Inbox implements SignalingClient.Listener {
        @Override
        public void onWelcome(SignalingClient client, Message.Welcome welcome) {
            lastId = welcome.id();
            links.configure(LinkConfig.withIceServers(welcome.iceServers() == null ? List.of() : welcome.iceServers()));
            events.publish(new SwarmEvent.Connection(Instant.now(), name(), server.toString(), welcome.id(), true));
            if (options.reconnect()) { // a long-running node says so; a one-shot fetch keeps its output to its result
                log.info("{} {} connected to {}{}", role.wireName(), welcome.id(), server,
                        Boolean.TRUE.equals(welcome.resumed()) ? " (id resumed)" : "");
            }
            for (BiConsumer<SignalingClient, Message.Welcome> listener : welcomeListeners) {
                listener.accept(client, welcome);
            }
        }

        @Override
        public void onMessage(Message message) {
            if (message instanceof Message.Match match) {
                requesting.onMatch(match);
            } else if (message instanceof Message.Signal signal && signal.from() != null) {
                links.onSignal(signal.from(), signal.data(), signal.reason(), signal.role(), signal.place());
            } else if (message instanceof Message.PeerGone gone) {
                links.onPeerGone(gone.id());
            } else if (message instanceof Message.Demand demand) {
                Consumer<Message.Demand> d = demands;
                if (d != null) {
                    d.accept(demand);
                }
            } else if (message instanceof Message.Error error) {
                log.warn("signaling server says {}: {}", error.code(), error.message());
            }
        }

        @Override
        public void onDisconnected(String reason, Duration retryIn) {
            // Links already open keep serving; new peers need us back at the server.
            requesting.onDisconnected(reason);
            SignalingClient s = signaling;
            events.publish(new SwarmEvent.Connection(Instant.now(), name(), server.toString(),
                    s == null ? null : s.id(), false));
            if (retryIn != null) {
                events.publish(new SwarmEvent.SignalingRetry(Instant.now(), name(), server.toString(), reason,
                        Instant.now().plus(retryIn)));
            }
        }

        @Override
        public void onRetryFailed(String reason, Duration retryIn) {
            events.publish(new SwarmEvent.SignalingRetry(Instant.now(), name(), server.toString(), reason,
                    Instant.now().plus(retryIn)));
        }
    }
}
