package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling server: assigns ids, keeps the directory of who holds what, matches askers with
 * holders and relays WebRTC signals between matched peers only. When a holder goes, every
 * partner hears {@code peer-gone} at once and, if it still wants what that holder had, is
 * offered the next-best holder. Every bad frame is answered with an {@code error} and touches
 * nobody else; overload is answered with a retry-after hint.
 */
public final class SignalingServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignalingServer.class);
    /** The heartbeat pings a slice of the connections this often, so pings never come in one burst. */
    private static final long HEARTBEAT_TICK_MS = 100;
    /** A connection that has not said hello by then is closed (it holds a slot for nothing). */
    private static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);
    /** The longest wait the admission queue hands out. */
    static final long MAX_ADMISSION_WAIT_MS = 30_000;
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final ServerConfig config;
    private final PeerDirectory directory;
    private final HolderRanking ranking;
    private final Pairings pairings = new Pairings();
    private final PeerReports reports = new PeerReports();
    private final DemandTracker demand;
    private final OpenWants wants;
    private final ResumeTokens resumeTokens;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Map<String, WebSocket> connections = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> connectionsByAddress = new ConcurrentHashMap<>();
    private final AtomicInteger welcomed = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final CountDownLatch started = new CountDownLatch(1);
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "server-metrics");
        t.setDaemon(true);
        return t;
    });
    private final Endpoint endpoint;
    private final Object admissionLock = new Object();
    private final TokenBucket admissions;      // guarded by admissionLock
    private long nextAdmissionSlotNanos;       // guarded by admissionLock
    private List<WebSocket> heartbeatRound = List.of();
    private int heartbeatCursor;
    private long heartbeatRoundStart = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile Exception startFailure;

    public SignalingServer(ServerConfig config) {
        this(config, new InMemoryPeerDirectory(), new ShuffledRanking());
    }

    public SignalingServer(ServerConfig config, PeerDirectory directory, HolderRanking ranking) {
        this.config = config;
        this.directory = directory;
        this.ranking = ranking;
        this.wants = new OpenWants(config.wantSeconds());
        this.demand = new DemandTracker(config.demandMinWants(), config.demandTargetHolders());
        this.resumeTokens = new ResumeTokens(config.resumeGraceSeconds());
        this.endpoint = new Endpoint(new InetSocketAddress(config.host(), config.port()));
        this.admissions = new TokenBucket(config.maxHandshakesPerSecond(), config.maxHandshakesPerSecond(), System.nanoTime());
    }

    /** Binds and starts; returns once connections are accepted, or throws why not. */
    public SignalingServer start() {
        if (config.tls() != null) {
            try {
                endpoint.setWebSocketFactory(new DefaultSSLWebSocketServerFactory(TlsContexts.load(config.tls())));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot load the TLS certificate: " + e.getMessage(), e);
            }
        }
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
        sampler.scheduleAtFixedRate(metrics::sample, 1, 1, TimeUnit.SECONDS);
        sampler.scheduleAtFixedRate(this::heartbeatTick, HEARTBEAT_TICK_MS, HEARTBEAT_TICK_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The port actually bound (useful when configured with port 0). */
    public int port() {
        return endpoint.getPort();
    }

    /** The address clients connect to, e.g. {@code ws://127.0.0.1:8765} or {@code wss://…}. */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return (config.tls() == null ? "ws://" : "wss://") + host + ":" + port();
    }

    public ServerConfig config() {
        return config;
    }

    public ServerMetrics metrics() {
        return metrics;
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

    /** How many different peers reported {@code peerId} (bad bytes, broken protocol, stalls). */
    public int reportersOf(String peerId) {
        return reports.reporters(peerId);
    }

    public int pairCount() {
        return pairings.pairCount();
    }

    public long signalsRelayed() {
        return metrics.signalsRelayed();
    }

    /** Errors sent to clients so far, by stable code. */
    public Map<String, Long> errorCounts() {
        return metrics.errorCounts();
    }

    /** Closes a peer's connection, as an operator's kick; the peer may resume. True if it was connected. */
    public boolean disconnect(String peerId) {
        WebSocket conn = connections.get(peerId);
        if (conn == null) {
            return false;
        }
        conn.close(CloseFrame.GOING_AWAY, "disconnected by the server");
        return true;
    }

    public String prometheusMetrics() {
        return metrics.prometheus(pairings.pairCount(), wants.size(), resumeTokens.parkedCount());
    }

    public String statsJson() {
        return metrics.json(pairings.pairCount(), wants.size(), resumeTokens.parkedCount());
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            endpoint.stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Per-connection state, kept as the socket's attachment from the moment it opens. */
    private static final class Conn {
        final InetAddress address;
        final TokenBucket bucket;
        final long openedNanos = System.nanoTime();
        /** Last sign of life: any frame or pong (written by workers, read by the heartbeat). */
        volatile long lastHeardNanos = openedNanos;
        /** When the heartbeat last pinged it; 0 before the first ping (heartbeat thread only). */
        long lastPingNanos;
        /** The heartbeat found it closing already (heartbeat thread only). */
        boolean closingSeen;
        boolean counted;
        int dropped;
        long lastRateError;
        Session session; // guarded by this
        boolean gone;    // guarded by this

        Conn(InetAddress address, TokenBucket bucket) {
            this.address = address;
            this.bucket = bucket;
        }
    }

    /** A welcomed peer. */
    private record Session(String id, PeerRole role) {}

    /**
     * Pings every connection once per heartbeat period, a slice each tick, and closes those that
     * did not answer the previous round's ping (no frame, no pong in a whole period), or that
     * never said hello: a dead peer goes one to two periods after its last sign of life. Java-WebSocket's
     * own checker pings all connections at once, which stalls relaying for every peer with
     * tens of thousands connected; spreading the pings keeps the cost flat.
     */
    private void heartbeatTick() {
        try {
            long now = System.nanoTime();
            long periodNanos = TimeUnit.SECONDS.toNanos(config.heartbeatSeconds());
            if (heartbeatCursor >= heartbeatRound.size()) {
                // A round lasts one whole period, however few connections there are.
                if (now - heartbeatRoundStart < periodNanos) {
                    return;
                }
                heartbeatRound = new ArrayList<>(endpoint.getConnections());
                heartbeatCursor = 0;
                heartbeatRoundStart = now;
            }
            long ticks = Math.max(1, periodNanos / TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_TICK_MS));
            int slice = (int) Math.max(1, (heartbeatRound.size() + ticks - 1) / ticks);
            for (int i = 0; i < slice && heartbeatCursor < heartbeatRound.size(); i++) {
                WebSocket conn = heartbeatRound.get(heartbeatCursor++);
                Conn c = conn.getAttachment();
                if (c == null || !conn.isOpen()) {
                    continue;
                }
                if (conn.isClosing()) {
                    // A close handshake that never finishes (the peer stopped reading): force it.
                    if (c.closingSeen) {
                        conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, "close handshake timed out");
                    }
                    c.closingSeen = true;
                } else if (c.lastPingNanos != 0 && c.lastHeardNanos - c.lastPingNanos < 0
                        && now - c.lastPingNanos >= periodNanos) {
                    // Pinged a whole round ago and not heard from since.
                    metrics.reaped.increment();
                    log.debug("reaping {}: no answer for {} ms", conn.getRemoteSocketAddress(), (now - c.lastHeardNanos) / 1_000_000);
                    conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, "missed heartbeats");
                } else if (sessionOf(c) == null && now - c.openedNanos > HELLO_TIMEOUT_NANOS) {
                    metrics.reaped.increment();
                    log.debug("reaping {}: no hello", conn.getRemoteSocketAddress());
                    conn.close(CloseFrame.POLICY_VALIDATION, "no hello");
                } else {
                    c.lastPingNanos = now;
                    conn.sendPing();
                }
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat tick failed", e);
        }
    }

    /**
     * Admits a new connection within the handshake rate (a token bucket), or returns how long it
     * should wait: refused clients are given slots one admission apart after the last slot given
     * out, a virtual queue, so that a reconnect storm comes back at the rate the server can take
     * instead of all at once. A client that returns at its slot finds a token waiting.
     */
    private long admissionDelayMs() {
        synchronized (admissionLock) {
            long now = System.nanoTime();
            if (admissions.tryTake(now)) {
                return 0;
            }
            long step = 1_000_000_000L / config.maxHandshakesPerSecond();
            long slot = Math.max(now, nextAdmissionSlotNanos) + step;
            long cap = TimeUnit.MILLISECONDS.toNanos(MAX_ADMISSION_WAIT_MS);
            if (slot - now > cap) {
                // The queue is full: past the cap, spread refusals over the last stretch instead
                // of pushing everyone further, so a flood cannot send honest clients away for hours.
                return MAX_ADMISSION_WAIT_MS / 2 + ThreadLocalRandom.current().nextLong(MAX_ADMISSION_WAIT_MS / 2 + 1);
            }
            nextAdmissionSlotNanos = slot;
            return Math.max(1, (slot - now + 999_999) / 1_000_000);
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
        metrics.error(code);
        send(conn, new Message.Error(code, text));
    }

    /** Refuses a connection that has just opened, with an error and a close code. */
    private void refuse(WebSocket conn, Message.Error error, int closeCode) {
        metrics.error(error.code());
        send(conn, error);
        conn.close(closeCode, error.code());
    }

    private static Session sessionOf(Conn c) {
        synchronized (c) {
            return c.session;
        }
    }

    private void handle(WebSocket conn, Conn c, Message message) {
        if (message instanceof Message.Hello hello) {
            onHello(conn, c, hello);
            return;
        }
        Session session = sessionOf(c);
        if (session == null) {
            sendError(conn, ErrorCode.NOT_WELCOMED, "send \"hello\" first");
            return;
        }
        if (message instanceof Message.Have have) {
            onHave(conn, session, have);
        } else if (message instanceof Message.Lost lost) {
            List<ResourceId> ids = parseHashes(conn, lost.hashes());
            if (ids != null) {
                directory.removeHoldings(session.id(), ids);
            }
        } else if (message instanceof Message.Want want) {
            onWant(conn, session, want);
        } else if (message instanceof Message.Cancel cancel) {
            if (ResourceId.isValid(cancel.hash())) {
                wants.close(session.id(), ResourceId.parse(cancel.hash()));
            } else {
                sendError(conn, ErrorCode.BAD_HASH, "not a resource id: " + abbreviate(cancel.hash()));
            }
        } else if (message instanceof Message.Signal signal) {
            onSignal(conn, session, signal);
        } else if (message instanceof Message.Report report) {
            onReport(conn, session, report);
        } else if (message instanceof Message.Bye) {
            conn.close(CloseFrame.NORMAL, "bye");
        } else {
            sendError(conn, ErrorCode.BAD_MESSAGE,
                    "\"" + MessageCodec.typeName(message) + "\" is sent by the server, not to it");
        }
    }

    private void onHello(WebSocket conn, Conn c, Message.Hello hello) {
        Session existing = sessionOf(c);
        if (existing != null) {
            sendError(conn, ErrorCode.ALREADY_WELCOMED, "already welcomed as " + existing.id());
            return;
        }
        if (hello.version() != Message.PROTOCOL_VERSION) {
            metrics.error(ErrorCode.UNSUPPORTED_VERSION);
            send(conn, new Message.Error(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + hello.version()
                    + " is not supported; this server speaks " + Message.PROTOCOL_VERSION));
            conn.close(CloseFrame.POLICY_VALIDATION, "unsupported version");
            return;
        }
        PeerRole role = hello.role() == null ? PeerRole.PEER : hello.role();
        Session created;
        boolean resumed = false;
        // onClose may run on the selector thread while a worker still handles this hello:
        // registering and forgetting a connection are serialised on it, so no ghost remains.
        if (welcomed.get() >= config.maxPeers()) {
            refuseFull(conn); // admitted in the same instant as others that filled the server
            return;
        }
        String token;
        synchronized (c) {
            if (c.gone) {
                return;
            }
            String id = resumeTokens.redeem(hello.resume(), System.nanoTime());
            if (id != null && connections.putIfAbsent(id, conn) == null) {
                resumed = true;
            } else {
                id = newPeerId();
                while (connections.putIfAbsent(id, conn) != null) {
                    id = newPeerId();
                }
            }
            created = new Session(id, role);
            c.session = created;
            directory.add(new PeerRecord(id, role));
            welcomed.incrementAndGet();
            metrics.peerJoined(role);
            token = resumeTokens.issue(created.id(), role);
        }
        if (resumed) {
            metrics.resumed.increment();
        }
        send(conn, new Message.Welcome(created.id(), token, resumed, config.iceServers(),
                new Message.Limits(config.maxFrameBytes(), config.maxHashesPerMessage(),
                        config.messagesPerSecond(), config.heartbeatSeconds(), config.messageBurst())));
        log.debug("peer {} {} as {} from {}", created.id(), resumed ? "resumed" : "joined", role.wireName(),
                conn.getRemoteSocketAddress());
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
        if (ids == null) {
            return;
        }
        if (directory.holdingCount(session.id()) + ids.size() > config.maxHoldingsPerPeer()) {
            sendError(conn, ErrorCode.TOO_MANY_HOLDINGS, "a peer may announce at most "
                    + config.maxHoldingsPerPeer() + " resources; these " + ids.size() + " were not recorded");
            return;
        }
        directory.addHoldings(session.id(), ids);
        for (ResourceId id : ids) {
            wants.close(session.id(), id); // it has it now
        }
    }

    private void onWant(WebSocket conn, Session session, Message.Want want) {
        if (!ResourceId.isValid(want.hash())) {
            sendError(conn, ErrorCode.BAD_HASH, "not a resource id: " + abbreviate(want.hash()));
            return;
        }
        ResourceId id = ResourceId.parse(want.hash());
        int count = want.count() == null ? 1 : Math.max(1, Math.min(want.count(), config.maxMatchCount()));
        PeerRecord asker = new PeerRecord(session.id(), session.role());
        List<PeerRecord> live = liveHolders(asker, id, Set.of());
        List<HolderRanking.Ranked> ranked = ranking.rank(asker, live, count);
        List<String> offered = new ArrayList<>(ranked.size());
        for (HolderRanking.Ranked holder : ranked) {
            offered.add(holder.peer().id());
        }
        wants.open(session.id(), id, count, offered, System.nanoTime());
        sendMatch(conn, session.id(), id, ranked);
        Conn c = conn.getAttachment();
        String address = c == null || c.address == null ? session.id() : c.address.getHostAddress();
        Message.Demand wanted = demand.onWant(id, want.origin(), address, live.size(), System.nanoTime());
        if (wanted != null) {
            tellSeeders(wanted, id, session.id());
        }
    }

    /** Sends a demand to up to {@link #DEMAND_FANOUT} seeders that do not hold the resource, picked at random. */
    private void tellSeeders(Message.Demand wanted, ResourceId id, String asker) {
        List<WebSocket> candidates = new ArrayList<>();
        Set<String> holding = new java.util.HashSet<>();
        directory.holders(id).forEach(p -> holding.add(p.id()));
        for (Map.Entry<String, WebSocket> e : connections.entrySet()) {
            Conn c = e.getValue().getAttachment();
            Session s = c == null ? null : sessionOf(c);
            if (s != null && s.role() == PeerRole.SEEDER && !s.id().equals(asker) && e.getValue().isOpen()
                    && !holding.contains(s.id())) {
                candidates.add(e.getValue());
            }
        }
        java.util.Collections.shuffle(candidates, random);
        for (WebSocket seeder : candidates.subList(0, Math.min(DEMAND_FANOUT, candidates.size()))) {
            send(seeder, wanted);
        }
        log.debug("{} is in demand ({} wants, {} holders): told {} seeders", id.shortForm(), wanted.wants(),
                wanted.holders(), Math.min(DEMAND_FANOUT, candidates.size()));
    }

    /** Seeders told of one demand. */
    static final int DEMAND_FANOUT = 3;

    private void onReport(WebSocket conn, Session session, Message.Report report) {
        if (report.peer() == null) {
            sendError(conn, ErrorCode.BAD_MESSAGE, "\"report\" needs \"peer\"");
            return;
        }
        if (!pairings.wasOffered(session.id(), report.peer())) {
            sendError(conn, ErrorCode.NOT_PAIRED, "you were not offered " + abbreviate(report.peer()) + " as a holder");
            return;
        }
        Conn c = conn.getAttachment();
        String address = c == null || c.address == null ? "unknown" : c.address.getHostAddress();
        if (reports.report(session.id(), address, report.peer(), System.nanoTime())) {
            int reporters = reports.reporters(report.peer());
            log.info("{} reports {}: {} ({} reporter{})", session.id(), report.peer(), abbreviate(String.valueOf(report.reason())),
                    reporters, reporters == 1 ? "" : "s");
            if (reporters == PeerReports.EXCLUDE_AFTER) {
                log.warn("{} was reported by {} peers; it is no longer offered to anyone", report.peer(), reporters);
            }
        }
    }

    /** Holders of {@code id} that are connected and not excluded for {@code asker}, unranked. */
    private List<PeerRecord> liveHolders(PeerRecord asker, ResourceId id, Set<String> exclude) {
        List<PeerRecord> live = new ArrayList<>();
        for (PeerRecord holder : directory.holders(id)) {
            WebSocket c = connections.get(holder.id());
            if (c != null && c.isOpen() && !exclude.contains(holder.id())
                    && !reports.excludes(asker.id(), holder.id(), System.nanoTime())) {
                live.add(holder);
            }
        }
        return live;
    }

    private void sendMatch(WebSocket conn, String askerId, ResourceId id, List<HolderRanking.Ranked> holders) {
        List<Message.PeerInfo> peers = new ArrayList<>(holders.size());
        for (HolderRanking.Ranked holder : holders) {
            pairings.offer(askerId, holder.peer().id(), holder.reason());
            peers.add(new Message.PeerInfo(holder.peer().id(), holder.peer().role(), holder.reason()));
        }
        metrics.matches.increment();
        send(conn, new Message.Match(id.text(), peers));
    }

    private void onSignal(WebSocket conn, Session session, Message.Signal signal) {
        if (signal.to() == null || signal.data() == null || !signal.data().isObject()) {
            sendError(conn, ErrorCode.BAD_MESSAGE, "\"signal\" needs \"to\" and an object \"data\"");
            return;
        }
        if (!pairings.arePaired(session.id(), signal.to())) {
            sendError(conn, ErrorCode.NOT_PAIRED, "not matched with peer " + abbreviate(signal.to()));
            return;
        }
        WebSocket target = connections.get(signal.to());
        if (target == null || !target.isOpen()) {
            send(conn, new Message.PeerGone(signal.to()));
            return;
        }
        metrics.signalsRelayed.increment();
        send(target, new Message.Signal(null, session.id(), signal.data(), pairings.reason(session.id(), signal.to())));
    }

    private void onGone(WebSocket conn, Conn c) {
        Session session;
        synchronized (c) {
            if (c.gone) {
                return;
            }
            c.gone = true;
            session = c.session;
            if (session != null) {
                connections.remove(session.id(), conn);
                directory.remove(session.id());
                welcomed.decrementAndGet();
                metrics.peerLeft(session.role());
            }
        }
        boolean counted;
        synchronized (c) {
            counted = c.counted;
            c.counted = false;
        }
        if (counted) {
            connectionsByAddress.computeIfPresent(c.address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
        if (session == null) {
            return;
        }
        long now = System.nanoTime();
        wants.closeAll(session.id());
        for (String partner : pairings.removeAll(session.id())) {
            WebSocket other = connections.get(partner);
            if (other == null) {
                continue;
            }
            send(other, new Message.PeerGone(session.id()));
            Conn otherConn = other.getAttachment();
            Session otherSession = otherConn == null ? null : sessionOf(otherConn);
            if (otherSession == null) {
                continue;
            }
            // The partner still wants what the gone holder had: offer the next-best, unasked.
            for (OpenWants.Want want : wants.offeredBy(partner, session.id(), now)) {
                Set<String> exclude = new HashSet<>(want.offered);
                PeerRecord asker = new PeerRecord(partner, otherSession.role());
                List<HolderRanking.Ranked> next = ranking.rank(asker, liveHolders(asker, want.id, exclude), 1);
                if (!next.isEmpty()) {
                    wants.addOffers(want, List.of(next.get(0).peer().id()));
                    sendMatch(other, partner, want.id, next);
                }
            }
        }
        // Last: a quick resume must not have its fresh wants and pairings wiped by the above.
        resumeTokens.park(session.id(), now);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() > 64 ? '"' + text.substring(0, 64) + "…\"" : '"' + text + '"';
    }

    /** Whether this connection may open at all: origin, connections from its address, load. */
    private void admit(WebSocket conn, Conn c, ClientHandshake handshake) {
        metrics.connectionsOpened.increment();
        if (!config.allowedOrigins().isEmpty()) {
            String origin = handshake.getFieldValue("Origin");
            if (!config.allowedOrigins().contains(origin)) {
                refuse(conn, new Message.Error(ErrorCode.ORIGIN_NOT_ALLOWED,
                        "origin " + abbreviate(origin) + " may not use this server"), CloseFrame.POLICY_VALIDATION);
                return;
            }
        }
        if (c.address != null) {
            int n;
            // onClose may already have run (the client hung up during the handshake): count only
            // a live connection, so that every increment has its decrement.
            synchronized (c) {
                if (c.gone) {
                    return;
                }
                n = connectionsByAddress.computeIfAbsent(c.address, a -> new AtomicInteger()).incrementAndGet();
                c.counted = true;
            }
            if (n > config.maxConnectionsPerAddress()) {
                refuse(conn, new Message.Error(ErrorCode.TOO_MANY_CONNECTIONS, "at most "
                        + config.maxConnectionsPerAddress() + " connections from one address"), CloseFrame.POLICY_VALIDATION);
                return;
            }
        }
        long delay = admissionDelayMs();
        if (delay > 0) {
            metrics.refusedOverload.increment();
            refuse(conn, new Message.Error(ErrorCode.OVERLOADED, "too many new connections at once; try again in "
                    + delay + " ms", delay), CloseFrame.TRY_AGAIN_LATER);
            return;
        }
        if (welcomed.get() >= config.maxPeers()) {
            refuseFull(conn);
        }
    }

    private void refuseFull(WebSocket conn) {
        metrics.refusedOverload.increment();
        // Spread the retries: each refused client waits between 1 and 2 times the hint.
        long retry = config.retryAfterMs() + ThreadLocalRandom.current().nextLong(config.retryAfterMs() + 1);
        refuse(conn, new Message.Error(ErrorCode.OVERLOADED, "server is full (" + config.maxPeers()
                + " peers); try again later", retry), CloseFrame.TRY_AGAIN_LATER);
    }

    /** Applies the per-connection message rate; true when the frame may be handled. */
    private boolean withinRate(WebSocket conn, Conn c) {
        long now = System.nanoTime();
        if (c.bucket.tryTake(now)) {
            c.dropped = 0; // only an unbroken run of drops closes a connection
            return true;
        }
        c.dropped++;
        if (c.dropped > config.messageBurst()) {
            refuse(conn, new Message.Error(ErrorCode.RATE_LIMITED, "too many messages: more than "
                    + config.messagesPerSecond() + " a second; disconnected"), CloseFrame.POLICY_VALIDATION);
        } else if (now - c.lastRateError > 1_000_000_000L) {
            c.lastRateError = now;
            sendError(conn, ErrorCode.RATE_LIMITED, "too many messages: at most " + config.messagesPerSecond()
                    + " a second; this one and others were dropped");
        } else {
            metrics.error(ErrorCode.RATE_LIMITED);
        }
        return false;
    }

    /** The Java-WebSocket endpoint; kept private so that its callbacks are not part of our API. */
    private final class Endpoint extends WebSocketServer {
        Endpoint(InetSocketAddress address) {
            super(address, 2, List.of(new Draft_6455(List.of(), config.maxFrameBytes())));
            setReuseAddr(true);
            setTcpNoDelay(true);
            setConnectionLostTimeout(0); // our own heartbeat spreads the pings (heartbeatTick)
            setMaxPendingConnections(config.acceptBacklog());
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            InetSocketAddress remote = conn.getRemoteSocketAddress();
            Conn c = new Conn(remote == null ? null : remote.getAddress(),
                    new TokenBucket(config.messagesPerSecond(), config.messageBurst(), System.nanoTime()));
            conn.setAttachment(c);
            admit(conn, c, handshake);
            // Java-WebSocket may run onClose on its selector thread before this attachment was
            // set (a client that connects and hangs up at once): that close saw no Conn and
            // cleaned nothing, so clean up here, or a hello queued behind it would leave a ghost.
            if (conn.isClosed()) {
                onGone(conn, c);
            }
        }

        @Override
        public void onWebsocketPong(WebSocket conn, org.java_websocket.framing.Framedata frame) {
            Conn c = conn.getAttachment();
            if (c != null) {
                c.lastHeardNanos = System.nanoTime();
            }
        }

        @Override
        public void onMessage(WebSocket conn, String text) {
            Conn c = conn.getAttachment();
            metrics.messagesReceived.increment();
            if (c != null) {
                c.lastHeardNanos = System.nanoTime();
            }
            if (c == null || !withinRate(conn, c)) {
                return;
            }
            Message message;
            try {
                message = MessageCodec.decode(text);
            } catch (ProtocolException e) {
                sendError(conn, e.code(), e.getMessage());
                return;
            }
            try {
                handle(conn, c, message);
            } catch (RuntimeException e) {
                log.warn("error handling {} from {}", MessageCodec.typeName(message), conn.getRemoteSocketAddress(), e);
                sendError(conn, ErrorCode.BAD_MESSAGE, "could not handle message: " + e.getMessage());
            }
        }

        @Override
        public void onMessage(WebSocket conn, ByteBuffer bytes) {
            Conn c = conn.getAttachment();
            metrics.messagesReceived.increment();
            if (c != null && withinRate(conn, c)) {
                sendError(conn, ErrorCode.BINARY_NOT_ALLOWED, "binary frames are not part of this protocol; send JSON text");
            }
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            if (code == CloseFrame.TOOBIG) {
                metrics.error(ErrorCode.FRAME_TOO_LARGE);
            }
            Conn c = conn.getAttachment();
            if (c != null) {
                onGone(conn, c);
            }
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
