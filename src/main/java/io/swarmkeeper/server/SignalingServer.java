package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.protocol.ProtocolException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling server: assigns ids, keeps the directory of who holds what, matches askers with
 * holders and relays WebRTC signals between matched peers only. Every bad frame is answered with
 * an {@code error} and touches nobody else.
 */
public final class SignalingServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignalingServer.class);
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final ServerConfig config;
    private final PeerDirectory directory;
    private final HolderRanking ranking;
    private final Pairings pairings = new Pairings();
    private final Map<String, WebSocket> connections = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicLong signalsRelayed = new AtomicLong();
    private final Map<String, AtomicLong> errorsByCode = new ConcurrentHashMap<>();
    private final Endpoint endpoint;
    private volatile Exception startFailure;

    public SignalingServer(ServerConfig config) {
        this(config, new InMemoryPeerDirectory(), new ShuffledRanking());
    }

    public SignalingServer(ServerConfig config, PeerDirectory directory, HolderRanking ranking) {
        this.config = config;
        this.directory = directory;
        this.ranking = ranking;
        this.endpoint = new Endpoint(new InetSocketAddress(config.host(), config.port()));
    }

    /** Binds and starts; returns once connections are accepted, or throws why not. */
    public SignalingServer start() {
        endpoint.start();
        try {
            if (!started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("signaling server did not start within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
        if (startFailure != null) {
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
                    + ": " + startFailure.getMessage(), startFailure);
        }
        return this;
    }

    /** The port actually bound (useful when configured with port 0). */
    public int port() {
        return endpoint.getPort();
    }

    /** The address clients connect to, e.g. {@code ws://127.0.0.1:8765}. */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "ws://" + host + ":" + port();
    }

    public int peerCount() {
        return directory.size();
    }

    /** How many connected peers hold {@code id}. */
    public int holderCount(ResourceId id) {
        return directory.holders(id).size();
    }

    /** True when the directory lists {@code peerId} as a holder of {@code id}. */
    public boolean holds(String peerId, ResourceId id) {
        return directory.holders(id).stream().anyMatch(p -> p.id().equals(peerId));
    }

    public int pairCount() {
        return pairings.pairCount();
    }

    public long signalsRelayed() {
        return signalsRelayed.get();
    }

    /** Errors sent to clients so far, by stable code. */
    public Map<String, Long> errorCounts() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        errorsByCode.forEach((code, n) -> copy.put(code, n.get()));
        return copy;
    }

    @Override
    public void close() {
        try {
            endpoint.stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Per-connection state, kept as the socket's attachment. */
    private static final class Session {
        /** Marks a connection that closed before it said hello: a late hello must not register it. */
        static final Session CLOSED = new Session("", PeerRole.PEER);

        final String id;
        final PeerRole role;

        Session(String id, PeerRole role) {
            this.id = id;
            this.role = role;
        }
    }

    private String newPeerId() {
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(id);
    }

    private void send(WebSocket conn, Message message) {
        try {
            conn.send(MessageCodec.encode(message));
        } catch (WebsocketNotConnectedException e) {
            // It closed meanwhile; its onClose does the cleaning up.
        }
    }

    private void sendError(WebSocket conn, String code, String text) {
        errorsByCode.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
        send(conn, new Message.Error(code, text));
    }

    private void handle(WebSocket conn, Message message) {
        Session session = conn.getAttachment();
        if (message instanceof Message.Hello hello) {
            onHello(conn, session, hello);
            return;
        }
        if (session == Session.CLOSED) {
            return;
        }
        if (session == null) {
            sendError(conn, ErrorCode.NOT_WELCOMED, "send \"hello\" first");
            return;
        }
        if (message instanceof Message.Have have) {
            onHave(conn, session, have);
        } else if (message instanceof Message.Want want) {
            onWant(conn, session, want);
        } else if (message instanceof Message.Signal signal) {
            onSignal(conn, session, signal);
        } else if (message instanceof Message.Bye) {
            conn.close(CloseFrame.NORMAL, "bye");
        } else {
            sendError(conn, ErrorCode.BAD_MESSAGE,
                    "\"" + MessageCodec.typeName(message) + "\" is sent by the server, not to it");
        }
    }

    private void onHello(WebSocket conn, Session session, Message.Hello hello) {
        if (session != null) {
            if (session != Session.CLOSED) {
                sendError(conn, ErrorCode.ALREADY_WELCOMED, "already welcomed as " + session.id);
            }
            return;
        }
        if (hello.version() != Message.PROTOCOL_VERSION) {
            sendError(conn, ErrorCode.UNSUPPORTED_VERSION,
                    "protocol version " + hello.version() + " is not supported; this server speaks "
                            + Message.PROTOCOL_VERSION);
            conn.close(CloseFrame.POLICY_VALIDATION, "unsupported version");
            return;
        }
        PeerRole role = hello.role() == null ? PeerRole.PEER : hello.role();
        Session created;
        // onClose may run on the selector thread while a worker still handles this hello:
        // registering and forgetting a connection are serialised on it, so no ghost remains.
        synchronized (conn) {
            if (conn.getAttachment() != null) {
                return; // closed meanwhile
            }
            String id = newPeerId();
            while (connections.putIfAbsent(id, conn) != null) {
                id = newPeerId();
            }
            created = new Session(id, role);
            conn.setAttachment(created);
            directory.add(new PeerRecord(id, role));
        }
        send(conn, new Message.Welcome(created.id, config.iceServers(),
                new Message.Limits(config.maxFrameBytes(), config.maxHashesPerMessage())));
        log.info("peer {} joined as {} from {}", created.id, role.wireName(), conn.getRemoteSocketAddress());
    }

    private List<ResourceId> parseHashes(WebSocket conn, List<String> hashes) {
        if (hashes == null) {
            sendError(conn, ErrorCode.BAD_MESSAGE, "\"hashes\" must be a list");
            return null;
        }
        if (hashes.size() > config.maxHashesPerMessage()) {
            sendError(conn, ErrorCode.TOO_MANY_HASHES, hashes.size() + " hashes in one message; at most "
                    + config.maxHashesPerMessage() + ", send several");
            return null;
        }
        List<ResourceId> ids = new ArrayList<>(hashes.size());
        for (String hash : hashes) {
            if (!ResourceId.isValid(hash)) {
                sendError(conn, ErrorCode.BAD_HASH, "not a resource id: " + abbreviate(hash));
                return null;
            }
            ids.add(ResourceId.parse(hash));
        }
        return ids;
    }

    private void onHave(WebSocket conn, Session session, Message.Have have) {
        List<ResourceId> ids = parseHashes(conn, have.hashes());
        if (ids != null && directory.holdingCount(session.id) + ids.size() > config.maxHoldingsPerPeer()) {
            sendError(conn, ErrorCode.TOO_MANY_HOLDINGS, "a peer may announce at most "
                    + config.maxHoldingsPerPeer() + " resources; these " + ids.size() + " were not recorded");
            return;
        }
        if (ids != null) {
            directory.addHoldings(session.id, ids);
            log.debug("peer {} has {} more resources", session.id, ids.size());
        }
    }

    private void onWant(WebSocket conn, Session session, Message.Want want) {
        if (!ResourceId.isValid(want.hash())) {
            sendError(conn, ErrorCode.BAD_HASH, "not a resource id: " + abbreviate(want.hash()));
            return;
        }
        ResourceId id = ResourceId.parse(want.hash());
        int count = want.count() == null ? 1 : Math.max(1, Math.min(want.count(), config.maxMatchCount()));
        PeerRecord asker = new PeerRecord(session.id, session.role);
        List<PeerRecord> live = new ArrayList<>();
        for (PeerRecord holder : directory.holders(id)) {
            WebSocket c = connections.get(holder.id());
            if (c != null && c.isOpen()) {
                live.add(holder);
            }
        }
        List<PeerRecord> ranked = ranking.rank(asker, live, count);
        List<Message.PeerInfo> peers = new ArrayList<>(ranked.size());
        for (PeerRecord holder : ranked) {
            pairings.pair(session.id, holder.id());
            peers.add(new Message.PeerInfo(holder.id(), holder.role()));
        }
        send(conn, new Message.Match(id.hex(), peers));
    }

    private void onSignal(WebSocket conn, Session session, Message.Signal signal) {
        if (signal.to() == null || signal.data() == null || !signal.data().isObject()) {
            sendError(conn, ErrorCode.BAD_MESSAGE, "\"signal\" needs \"to\" and an object \"data\"");
            return;
        }
        if (!pairings.arePaired(session.id, signal.to())) {
            sendError(conn, ErrorCode.NOT_PAIRED, "not matched with peer " + abbreviate(signal.to()));
            return;
        }
        WebSocket target = connections.get(signal.to());
        if (target == null || !target.isOpen()) {
            send(conn, new Message.PeerGone(signal.to()));
            return;
        }
        send(target, new Message.Signal(null, session.id, signal.data()));
        signalsRelayed.incrementAndGet();
    }

    private void onGone(WebSocket conn) {
        Session session;
        synchronized (conn) {
            session = conn.getAttachment();
            if (session == null) {
                conn.setAttachment(Session.CLOSED);
                return;
            }
            if (session == Session.CLOSED) {
                return;
            }
            conn.setAttachment(Session.CLOSED);
            connections.remove(session.id, conn);
            directory.remove(session.id);
        }
        for (String partner : pairings.removeAll(session.id)) {
            WebSocket other = connections.get(partner);
            if (other != null) {
                send(other, new Message.PeerGone(session.id));
            }
        }
        log.info("peer {} left", session.id);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() > 64 ? '"' + text.substring(0, 64) + "…\"" : '"' + text + '"';
    }

    /** The Java-WebSocket endpoint; kept private so that its callbacks are not part of our API. */
    private final class Endpoint extends WebSocketServer {
        Endpoint(InetSocketAddress address) {
            super(address, 2, List.of(new Draft_6455(List.of(), config.maxFrameBytes())));
            setReuseAddr(true);
            setTcpNoDelay(true);
            setConnectionLostTimeout(config.heartbeatSeconds());
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            // Nothing until the client says hello.
        }

        @Override
        public void onMessage(WebSocket conn, String text) {
            Message message;
            try {
                message = MessageCodec.decode(text);
            } catch (ProtocolException e) {
                sendError(conn, e.code(), e.getMessage());
                return;
            }
            try {
                handle(conn, message);
            } catch (RuntimeException e) {
                log.warn("error handling {} from {}", MessageCodec.typeName(message), conn.getRemoteSocketAddress(), e);
                sendError(conn, ErrorCode.BAD_MESSAGE, "could not handle message: " + e.getMessage());
            }
        }

        @Override
        public void onMessage(WebSocket conn, ByteBuffer bytes) {
            sendError(conn, ErrorCode.BINARY_NOT_ALLOWED, "binary frames are not part of this protocol; send JSON text");
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            if (code == CloseFrame.TOOBIG) {
                errorsByCode.computeIfAbsent(ErrorCode.FRAME_TOO_LARGE, k -> new AtomicLong()).incrementAndGet();
            }
            onGone(conn);
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            if (conn == null) {
                startFailure = ex;
                started.countDown();
                log.error("signaling server failed: {}", ex.toString());
            } else {
                log.debug("connection error from {}: {}", conn.getRemoteSocketAddress(), ex.toString());
            }
        }

        @Override
        public void onStart() {
            started.countDown();
        }
    }
}
