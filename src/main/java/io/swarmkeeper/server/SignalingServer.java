package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.geo.BrowserPosition;
import io.swarmkeeper.geo.GeoDataException;
import io.swarmkeeper.geo.GeoPoint;
import io.swarmkeeper.geo.Geolocator;
import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
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
    private final TrustedProxies trustedProxies;
    /** Places peers for the proximity ranking; null when proximity pairing is off. */
    private volatile Geolocator geo;
    /** Whether {@link #geo} was opened here (from the configuration's files), so closed here. */
    private boolean ownsGeo;
    private final Pairings pairings = new Pairings();
    private final Reputation reputation = new Reputation();
    private final DemandTracker demand;
    private final OpenWants wants;
    private final ResumeTokens resumeTokens;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    /** Connected peers that said they are seeders: the ones demand goes to. */
    private final Set<Connection> seeders = ConcurrentHashMap.newKeySet();
    private final HoldingQuota holdingQuota;
    private final AtomicInteger welcomed = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "server-metrics");
        t.setDaemon(true);
        return t;
    });
    private WebSocketTransport transport;
    private final Object admissionLock = new Object();
    private final TokenBucket admissions;      // guarded by admissionLock
    private long nextAdmissionSlotNanos;       // guarded by admissionLock
    private List<Connection> heartbeatRound = List.of();
    private int heartbeatCursor;
    private long heartbeatRoundStart = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

    /**
     * A server whose ranking is {@link ProximityRanking} when the configuration names geolocation
     * files (opened by {@link #start}), else {@link ShuffledRanking}.
     */
    public SignalingServer(ServerConfig config) {
        this(config, new InMemoryPeerDirectory(), config.geoCityFiles().isEmpty() ? new ShuffledRanking()
                : new ProximityRanking(), null);
    }

    public SignalingServer(ServerConfig config, PeerDirectory directory, HolderRanking ranking) {
        this(config, directory, ranking, null);
    }

    /**
     * {@code geo}: places peers (their {@link PeerRecord#place()}) for {@code ranking}; null to
     * open the configuration's geolocation files at start, if it names any.
     */
    public SignalingServer(ServerConfig config, PeerDirectory directory, HolderRanking ranking, Geolocator geo) {
        this.config = config;
        this.directory = directory;
        this.ranking = ranking;
        this.geo = geo;
        this.trustedProxies = TrustedProxies.parse(config.trustedProxies());
        this.wants = new OpenWants(config.wantSeconds());
        this.demand = new DemandTracker(config.demandMinWants(), config.demandTargetHolders());
        this.resumeTokens = new ResumeTokens(config.resumeGraceSeconds());
        this.holdingQuota = new HoldingQuota(config.maxHoldingsPerAddress(), config.maxHoldingsTotal());
        this.admissions = new TokenBucket(config.maxHandshakesPerSecond(), config.maxHandshakesPerSecond(), System.nanoTime());
    }

    /**
     * Binds and starts; returns once connections are accepted, or throws why not. Geolocation
     * files named by the configuration are opened and checked first: one that cannot be used
     * fails the start with an {@link IllegalStateException} whose cause is the
     * {@link GeoDataException} naming it.
     */
    public SignalingServer start() {
        if (geo == null && !config.geoCityFiles().isEmpty()) {
            try {
                geo = Geolocator.open(config.geoCityFiles(), config.geoAsnFiles());
                ownsGeo = true;
            } catch (GeoDataException e) {
                throw new IllegalStateException("cannot use the geolocation data: " + e.getMessage(), e);
            }
            if (config.geoReloadSeconds() > 0) {
                geo.watch(Duration.ofSeconds(config.geoReloadSeconds()));
            }
        }
        SSLContext tls = null;
        if (config.tls() != null) {
            // TLS 1.2 renegotiation asked by a client costs the server a private-key operation each
            // time: refuse it (TLS 1.3 has none). Read when JSSE first handshakes; an operator's own setting stands.
            if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
                System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
            }
            try {
                tls = TlsContexts.load(config.tls());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot load the TLS certificate: " + e.getMessage(), e);
            }
        }
        transport = new WebSocketTransport(config, tls, metrics, new Events());
        try {
            transport.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            transport.close();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (RuntimeException e) {
            transport.close();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        metrics.descriptors(transport::descriptorsInUse, transport.maxDescriptors());
        sampler.scheduleAtFixedRate(Fatal.guarded("sampling", () -> {
            metrics.sample();
            transport.sample();
        }), 1, 1, TimeUnit.SECONDS);
        sampler.scheduleAtFixedRate(Fatal.guarded("heartbeat", this::heartbeatTick), HEARTBEAT_TICK_MS, HEARTBEAT_TICK_MS,
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** The port actually bound (useful when configured with port 0). */
    public int port() {
        return transport == null ? -1 : transport.port();
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

    /** Holdings of all connected peers together. */
    public int holdingCount() {
        return directory.totalHoldings();
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
        return reputation.reporters(peerId);
    }

    /** Networks that confirmed verified bytes from {@code peerId} ({@code served}) in the last day. */
    public int servedRecordOf(String peerId) {
        return reputation.servedRecord(peerId);
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
        Connection conn = connections.get(peerId);
        if (conn == null) {
            return false;
        }
        conn.close(CloseCodes.GOING_AWAY, "disconnected by the server");
        return true;
    }

    public String prometheusMetrics() {
        Geolocator g = geo;
        return metrics.prometheus(pairings.pairCount(), wants.size(), resumeTokens.parkedCount())
                + ServerMetrics.proximityPrometheus(g != null, g == null ? 0 : g.reloads());
    }

    public String statsJson() {
        Geolocator g = geo;
        return metrics.json(pairings.pairCount(), wants.size(), resumeTokens.parkedCount(),
                g == null ? null : g.describe(), g == null ? 0 : g.reloads());
    }

    /**
     * One line for the operator: whether holders are ranked by proximity, from which files, and
     * the data's attribution; or that proximity pairing is off and why.
     */
    public String proximityStatus() {
        Geolocator g = geo;
        if (g == null) {
            return ranking instanceof ShuffledRanking
                    ? "proximity pairing off (no --geo-city): holders are offered in random order"
                    : "proximity pairing off (no geolocation data): " + ranking.getClass().getSimpleName() + " ranks holders";
        }
        return "proximity pairing on: " + g.describe() + (g.hasAsn() ? "" : "; no --geo-asn, so no same-network preference")
                + (config.geoReloadSeconds() > 0 ? "; checked for replacement every " + config.geoReloadSeconds() + " s" : "")
                + ". " + Geolocator.ATTRIBUTION;
    }

    /** The geolocation in use, or null when proximity pairing is off. */
    public Geolocator geolocator() {
        return geo;
    }

    @Override
    public void close() {
        if (ownsGeo && geo != null) {
            geo.close();
        }
        sampler.shutdownNow();
        if (transport != null) {
            transport.close();
        }
    }

    /** Per-connection state, kept as the connection's state from the moment it opens. */
    private static final class Conn {
        final InetAddress address;
        /** The address the peer is placed by: a trusted proxy's word on it, else {@link #address}; may be null. */
        InetAddress client;
        /** The network its holdings count against (the address; IPv6: its /64). */
        final InetAddress network;
        final TokenBucket bucket;
        final long openedNanos = System.nanoTime();
        /** Last sign of life: any frame or pong (written by workers, read by the heartbeat). */
        volatile long lastHeardNanos = openedNanos;
        /** When the heartbeat last pinged it; 0 before the first ping (heartbeat thread only). */
        long lastPingNanos;
        int dropped;
        long lastRateError;
        long lastBusyError;
        /** Presented a peer token at the upgrade. */
        boolean tokenPresented;
        Session session; // guarded by this
        boolean gone;    // guarded by this

        Conn(InetAddress address, TokenBucket bucket) {
            this.address = address;
            this.network = AcceptGate.networkOf(address);
            this.bucket = bucket;
        }
    }

    /** A welcomed peer: its id, role, the network it connected from and when, and where it is. */
    private record Session(String id, PeerRole role, InetAddress network, long joinedNanos, PeerPlace place) {
        Reputation.Party party() {
            return new Reputation.Party(id, network, joinedNanos);
        }

        PeerRecord record() {
            return new PeerRecord(id, role, place);
        }

        /** What other peers may learn of where it is: city and country at most; null when unknown. */
        Message.Place wirePlace() {
            return wirePlaceOf(place);
        }
    }

    static Message.Place wirePlaceOf(PeerPlace place) {
        return place == null || (place.city() == null && place.country() == null) ? null
                : new Message.Place(place.city(), place.country());
    }

    /**
     * Where a peer saying hello is: its browser's coordinates when plausible (coarsened to about
     * 10 km first), else its address's place; unknown when proximity pairing is off.
     */
    private PeerPlace placeOf(Conn c, Message.Hello hello) {
        Geolocator g = geo;
        if (g == null) {
            return PeerPlace.UNKNOWN;
        }
        Message.Coordinates coords = hello.coords();
        GeoPoint browser = coords == null ? null : BrowserPosition.coarsen(coords.lat(), coords.lon(), coords.accuracy());
        return g.locate(c.client, browser);
    }

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
                heartbeatRound = new ArrayList<>(transport.connections());
                heartbeatCursor = 0;
                heartbeatRoundStart = now;
            }
            long ticks = Math.max(1, periodNanos / TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_TICK_MS));
            int slice = (int) Math.max(1, (heartbeatRound.size() + ticks - 1) / ticks);
            List<Connection> toPing = new ArrayList<>(slice);
            for (int i = 0; i < slice && heartbeatCursor < heartbeatRound.size(); i++) {
                Connection conn = heartbeatRound.get(heartbeatCursor++);
                Conn c = conn.state();
                if (c == null || !conn.isOpen()) {
                    continue; // closing: the transport bounds the close handshake
                }
                if (c.lastPingNanos != 0 && c.lastHeardNanos - c.lastPingNanos < 0
                        && now - c.lastPingNanos >= periodNanos) {
                    // Pinged a whole round ago and not heard from since.
                    metrics.reaped.increment();
                    log.debug("reaping {}: no answer for {} ms", conn, (now - c.lastHeardNanos) / 1_000_000);
                    conn.abort();
                } else if (sessionOf(c) == null && now - c.openedNanos > HELLO_TIMEOUT_NANOS) {
                    metrics.reaped.increment();
                    log.debug("reaping {}: no hello", conn);
                    conn.close(CloseCodes.POLICY_VALIDATION, "no hello");
                } else {
                    c.lastPingNanos = now;
                    toPing.add(conn);
                }
            }
            transport.pingAll(toPing);
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

    private void send(Connection conn, Message message) {
        conn.send(MessageCodec.encode(message)); // a closed one is cleaned up by its onClosed
    }

    private void sendError(Connection conn, String code, String text) {
        metrics.error(code);
        send(conn, new Message.Error(code, text));
    }

    /** Refuses a connection that has just opened, with an error and a close code. */
    private void refuse(Connection conn, Message.Error error, int closeCode) {
        metrics.error(error.code());
        send(conn, error);
        conn.close(closeCode, error.code());
    }

    private static Session sessionOf(Conn c) {
        synchronized (c) {
            return c.session;
        }
    }

    private void handle(Connection conn, Conn c, Message message) {
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
            onHave(conn, c, session, have);
        } else if (message instanceof Message.Lost lost) {
            List<ResourceId> ids = parseHashes(conn, lost.hashes());
            if (ids != null) {
                holdingQuota.release(c.network, directory.removeHoldings(session.id(), ids));
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
        } else if (message instanceof Message.Served served) {
            onServed(conn, session, served);
        } else if (message instanceof Message.Bye) {
            conn.close(CloseCodes.NORMAL, "bye");
        } else {
            sendError(conn, ErrorCode.BAD_MESSAGE,
                    "\"" + MessageCodec.typeName(message) + "\" is sent by the server, not to it");
        }
    }

    private void onHello(Connection conn, Conn c, Message.Hello hello) {
        Session existing = sessionOf(c);
        if (existing != null) {
            sendError(conn, ErrorCode.ALREADY_WELCOMED, "already welcomed as " + existing.id());
            return;
        }
        if (hello.version() != Message.PROTOCOL_VERSION) {
            metrics.error(ErrorCode.UNSUPPORTED_VERSION);
            send(conn, new Message.Error(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + hello.version()
                    + " is not supported; this server speaks " + Message.PROTOCOL_VERSION));
            conn.close(CloseCodes.POLICY_VALIDATION, "unsupported version");
            return;
        }
        PeerRole role = hello.role() == null ? PeerRole.PEER : hello.role();
        if (role == PeerRole.SEEDER && !config.peerTokens().isEmpty() && !c.tokenPresented) {
            // Seeders hear demand: with tokens set, only token holders may say they are one (an
            // Origin header proves nothing to a program that can send any).
            refuse(conn, new Message.Error(ErrorCode.TOKEN_REQUIRED,
                    "this server admits seeders only with a token (Authorization: Bearer …)"), CloseCodes.POLICY_VALIDATION);
            return;
        }
        Session created;
        boolean resumed = false;
        PeerPlace place = placeOf(c, hello); // outside the lock: a lookup takes microseconds
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
            created = new Session(id, role, c.network, System.nanoTime(), place);
            c.session = created;
            directory.add(created.record());
            welcomed.incrementAndGet();
            metrics.peerJoined(role);
            if (role == PeerRole.SEEDER) {
                seeders.add(conn);
            }
            token = resumeTokens.issue(created.id(), role);
        }
        if (resumed) {
            metrics.resumed.increment();
        }
        send(conn, new Message.Welcome(created.id(), token, resumed, config.iceServers(),
                new Message.Limits(config.maxFrameBytes(), config.maxHashesPerMessage(),
                        config.messagesPerSecond(), config.heartbeatSeconds(), config.messageBurst())));
        log.debug("peer {} {} as {} from {}", created.id(), resumed ? "resumed" : "joined", role.wireName(),
                conn);
    }

    private List<ResourceId> parseHashes(Connection conn, List<String> hashes) {
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

    private void onHave(Connection conn, Conn c, Session session, Message.Have have) {
        List<ResourceId> ids = parseHashes(conn, have.hashes());
        if (ids == null) {
            return;
        }
        if (directory.holdingCount(session.id()) + ids.size() > config.maxHoldingsPerPeer()) {
            sendError(conn, ErrorCode.TOO_MANY_HOLDINGS, "a peer may announce at most "
                    + config.maxHoldingsPerPeer() + " resources; these " + ids.size() + " were not recorded");
            return;
        }
        // Room for all of them first, then give back what was not new: peers of one network
        // announcing at once cannot pass its limit between them.
        HoldingQuota.Refusal refusal = holdingQuota.reserve(c.network, ids.size());
        if (refusal == HoldingQuota.Refusal.ADDRESS) {
            sendError(conn, ErrorCode.TOO_MANY_HOLDINGS, "the peers of one address may announce at most "
                    + config.maxHoldingsPerAddress() + " resources together; these " + ids.size() + " were not recorded");
            return;
        }
        if (refusal == HoldingQuota.Refusal.SERVER) {
            sendError(conn, ErrorCode.TOO_MANY_HOLDINGS, "this server records at most " + config.maxHoldingsTotal()
                    + " holdings and is full; these " + ids.size() + " were not recorded");
            return;
        }
        int added;
        synchronized (c) {
            // A peer that left meanwhile has no holdings to add to; the directory ignores it.
            added = c.gone ? 0 : directory.addHoldings(session.id(), ids);
        }
        holdingQuota.release(c.network, ids.size() - added);
        long now = System.nanoTime();
        for (ResourceId id : ids) {
            wants.close(session.id(), id); // it has it now
            offerToWaitingAskers(session, id, now);
        }
    }

    /**
     * A holder announced {@code id}: askers whose open want was offered fewer holders than they
     * asked for (an empty match among them) are offered it at once, without asking again.
     */
    private void offerToWaitingAskers(Session holder, ResourceId id, long now) {
        for (OpenWants.View want : wants.waitingFor(id, holder.id(), now)) {
            Connection askerConn = connections.get(want.asker());
            Conn ac = askerConn == null ? null : askerConn.state();
            Session asker = ac == null ? null : sessionOf(ac);
            if (asker == null || !askerConn.isOpen()
                    || reputation.excludes(asker.party(), holder.party(), id, now)) {
                continue;
            }
            List<HolderRanking.Ranked> ranked = ranking.rank(asker.record(), List.of(holder.record()), 1);
            if (!ranked.isEmpty() && wants.addOffer(asker.id(), id, holder.id())) {
                sendMatch(askerConn, asker.id(), id, ranked);
            }
        }
    }

    private void onWant(Connection conn, Session session, Message.Want want) {
        if (!ResourceId.isValid(want.hash())) {
            sendError(conn, ErrorCode.BAD_HASH, "not a resource id: " + abbreviate(want.hash()));
            return;
        }
        ResourceId id = ResourceId.parse(want.hash());
        int count = want.count() == null ? 1 : Math.max(1, Math.min(want.count(), config.maxMatchCount()));
        List<PeerRecord> live = liveHolders(session, id, Set.of());
        List<HolderRanking.Ranked> ranked = choose(session, live, count);
        List<String> offered = new ArrayList<>(ranked.size());
        for (HolderRanking.Ranked holder : ranked) {
            offered.add(holder.peer().id());
        }
        wants.open(session.id(), id, count, offered, System.nanoTime());
        sendMatch(conn, session.id(), id, ranked);
        Conn c = conn.state();
        String address = c == null || c.network == null ? session.id() : c.network.getHostAddress(); // by network
        Message.Demand wanted = demand.onWant(id, want.origin(), address, live.size(), System.nanoTime());
        if (wanted != null) {
            tellSeeders(wanted, id, session.id());
        }
    }

    /** Sends a demand to up to {@link #DEMAND_FANOUT} seeders that do not hold the resource, picked at random. */
    private void tellSeeders(Message.Demand wanted, ResourceId id, String asker) {
        Set<String> holding = new java.util.HashSet<>();
        directory.holders(id, config.maxHoldersConsidered()).forEach(p -> holding.add(p.id()));
        List<Connection> candidates = new ArrayList<>();
        for (Connection seeder : seeders) {
            Conn c = seeder.state();
            Session s = c == null ? null : sessionOf(c);
            if (s != null && !s.id().equals(asker) && seeder.isOpen() && !holding.contains(s.id())) {
                candidates.add(seeder);
            }
        }
        java.util.Collections.shuffle(candidates, random);
        for (Connection seeder : candidates.subList(0, Math.min(DEMAND_FANOUT, candidates.size()))) {
            send(seeder, wanted);
        }
        log.debug("{} is in demand ({} wants, {} holders): told {} seeders", id.shortForm(), wanted.wants(),
                wanted.holders(), Math.min(DEMAND_FANOUT, candidates.size()));
    }


    /** Seeders told of one demand. */
    static final int DEMAND_FANOUT = 3;

    private void onReport(Connection conn, Session session, Message.Report report) {
        Pairings.Offered offered = offeredHolder(conn, session, report.peer(), "report");
        if (offered == null) {
            return;
        }
        // A report is about a resource the reporter was offered the holder for: the one it names,
        // else the last it was offered the holder for (a peer that broke the protocol, or stalled).
        ResourceId resource;
        if (report.hash() == null) {
            resource = List.copyOf(offered.resources()).get(offered.resources().size() - 1);
        } else {
            resource = offeredResource(conn, report.peer(), report.hash(), offered);
            if (resource == null) {
                return;
            }
        }
        Reputation.Party subject = partyOf(report.peer(), offered);
        if (reputation.report(session.party(), subject, resource, System.nanoTime())) {
            log.debug("{} reports {}: {} ({} reporting networks)", session.id(), report.peer(),
                    abbreviate(String.valueOf(report.reason())), reputation.reporters(report.peer()));
        }
    }

    private void onServed(Connection conn, Session session, Message.Served served) {
        metrics.confirmations.increment();
        Pairings.Offered offered = offeredHolder(conn, session, served.peer(), "served");
        if (offered == null || (served.hash() != null && offeredResource(conn, served.peer(), served.hash(), offered) == null)) {
            return;
        }
        if (reputation.vouch(session.party(), partyOf(served.peer(), offered), System.nanoTime())) {
            log.debug("{} confirms verified bytes from {}", session.id(), served.peer());
        }
    }

    /**
     * The resource {@code hash} names, if the sender was offered {@code peer} for it; else answers
     * {@code bad-hash} or {@code not-paired} and returns null.
     */
    private ResourceId offeredResource(Connection conn, String peer, String hash, Pairings.Offered offered) {
        if (!ResourceId.isValid(hash)) {
            sendError(conn, ErrorCode.BAD_HASH, "not a resource id: " + abbreviate(hash));
            return null;
        }
        ResourceId resource = ResourceId.parse(hash);
        if (!offered.resources().contains(resource)) {
            sendError(conn, ErrorCode.NOT_PAIRED, "you were not offered " + abbreviate(peer) + " for " + abbreviate(hash));
            return null;
        }
        return resource;
    }

    /**
     * What the sender of a {@code report} or {@code served} was offered of {@code peer}, if it
     * asked and was offered it (the holder may have left since, within minutes); else answers
     * not-paired.
     */
    private Pairings.Offered offeredHolder(Connection conn, Session session, String peer, String type) {
        if (peer == null) {
            sendError(conn, ErrorCode.BAD_MESSAGE, "\"" + type + "\" needs \"peer\"");
            return null;
        }
        Pairings.Offered offered = pairings.offered(session.id(), peer, System.nanoTime());
        if (offered == null || (offered.departedHolder() == null && sessionOfPeer(peer) == null)) {
            sendError(conn, ErrorCode.NOT_PAIRED, "you were not offered " + abbreviate(peer) + " as a holder");
            return null;
        }
        return offered;
    }

    /** A connected peer's session, or null. */
    private Session sessionOfPeer(String peerId) {
        Connection c = connections.get(peerId);
        Conn state = c == null ? null : c.state();
        return state == null ? null : sessionOf(state);
    }

    /** What reports and confirmations need of a holder: from its session, or as it was when it left. */
    private Reputation.Party partyOf(String peerId, Pairings.Offered offered) {
        Session s = sessionOfPeer(peerId);
        return s != null ? s.party() : offered.departedHolder();
    }

    /**
     * The ranking policy's order, then {@link HolderChoice}: one holder per network first, holders
     * with a served record and without taking turns.
     */
    private List<HolderRanking.Ranked> choose(Session asker, List<PeerRecord> live, int count) {
        if (live.isEmpty()) {
            return List.of();
        }
        List<HolderRanking.Ranked> policyOrder = ranking.rank(asker.record(), live, live.size());
        return HolderChoice.choose(policyOrder, count, p -> {
            Session s = sessionOfPeer(p.id());
            return s == null ? null : s.network();
        }, p -> reputation.servedRecord(p.id()));
    }

    /** Holders of {@code id} that are connected and not excluded for {@code asker}, unranked. */
    private List<PeerRecord> liveHolders(Session asker, ResourceId id, Set<String> exclude) {
        List<PeerRecord> live = new ArrayList<>();
        long now = System.nanoTime();
        Reputation.Party askerParty = asker.party();
        // At most --max-holders-considered, sampled at random when more hold it: a match of a
        // popular resource costs no more than this.
        for (PeerRecord holder : directory.holders(id, config.maxHoldersConsidered())) {
            Connection c = connections.get(holder.id());
            Conn hc = c == null ? null : c.state();
            Session hs = hc == null ? null : sessionOf(hc);
            if (hs != null && c.isOpen() && !exclude.contains(holder.id()) && !holder.id().equals(asker.id())
                    && !reputation.excludes(askerParty, hs.party(), id, now)) {
                live.add(holder);
            }
        }
        return live;
    }

    private void sendMatch(Connection conn, String askerId, ResourceId id, List<HolderRanking.Ranked> holders) {
        List<Message.PeerInfo> peers = new ArrayList<>(holders.size());
        for (HolderRanking.Ranked holder : holders) {
            pairings.offer(askerId, holder.peer().id(), holder.reason(), id);
            metrics.offered(holder.reason());
            peers.add(new Message.PeerInfo(holder.peer().id(), holder.peer().role(), holder.reason(),
                    wirePlaceOf(holder.peer().place())));
        }
        metrics.matches.increment();
        send(conn, new Message.Match(id.text(), peers));
    }

    private void onSignal(Connection conn, Session session, Message.Signal signal) {
        if (signal.to() == null || signal.data() == null || !signal.data().isObject()) {
            sendError(conn, ErrorCode.BAD_MESSAGE, "\"signal\" needs \"to\" and an object \"data\"");
            return;
        }
        if (!pairings.arePaired(session.id(), signal.to())) {
            sendError(conn, ErrorCode.NOT_PAIRED, "not matched with peer " + abbreviate(signal.to()));
            return;
        }
        Connection target = connections.get(signal.to());
        if (target == null || !target.isOpen()) {
            send(conn, new Message.PeerGone(signal.to()));
            return;
        }
        String relayed = MessageCodec.encode(new Message.Signal(null, session.id(), signal.data(),
                pairings.reason(session.id(), signal.to()), session.role(), session.wirePlace()));
        metrics.signalsRelayed.increment(); // before the send: a test may see the signal before the count
        if (!target.sendIfRoom(relayed)) {
            metrics.signalsRelayed.decrement();
            // The receiver reads slower than it is sent to: drop what the sender relays rather than
            // cut the receiver off for someone else's flood.
            metrics.error(ErrorCode.PEER_BUSY);
            Conn c = conn.state();
            long now = System.nanoTime();
            if (c != null && now - c.lastBusyError > 1_000_000_000L) {
                c.lastBusyError = now;
                send(conn, new Message.Error(ErrorCode.PEER_BUSY, "peer " + abbreviate(signal.to())
                        + " is not keeping up; this signal and others were dropped"));
            }
            return;
        }
    }

    private void onGone(Connection conn, Conn c) {
        Session session;
        synchronized (c) {
            if (c.gone) {
                return;
            }
            c.gone = true;
            session = c.session;
            if (session != null) {
                connections.remove(session.id(), conn);
                seeders.remove(conn);
                holdingQuota.release(c.network, directory.remove(session.id()));
                welcomed.decrementAndGet();
                metrics.peerLeft(session.role());
            }
        }
        if (session == null) {
            return;
        }
        long now = System.nanoTime();
        try {
            wants.closeAll(session.id());
            for (String partner : pairings.removeAll(session.party(), now)) {
                try {
                    tellPartnerGone(partner, session.id(), now);
                } catch (RuntimeException e) {
                    log.warn("could not tell {} that {} left", partner, session.id(), e);
                }
            }
        } finally {
            // Last: a quick resume must not have its fresh wants and pairings wiped by the above.
            resumeTokens.park(session.id(), now);
        }
    }

    /** A partner of a peer that left hears {@code peer-gone}, and the next-best holder for what it still wants. */
    private void tellPartnerGone(String partner, String goneId, long now) {
        Connection other = connections.get(partner);
        if (other == null) {
            return;
        }
        send(other, new Message.PeerGone(goneId));
        Conn otherConn = other.state();
        Session otherSession = otherConn == null ? null : sessionOf(otherConn);
        if (otherSession == null) {
            return;
        }
        for (OpenWants.View want : wants.offeredBy(partner, goneId, now)) {
            List<HolderRanking.Ranked> next = choose(otherSession, liveHolders(otherSession, want.id(), want.offered()), 1);
            if (!next.isEmpty() && wants.addOffer(partner, want.id(), next.get(0).peer().id())) {
                sendMatch(other, partner, want.id(), next);
            }
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() > 64 ? '"' + text.substring(0, 64) + "…\"" : '"' + text + '"';
    }

    /**
     * Whether this connection may open at all: who it is (a browser page by its Origin, another
     * peer by its token), connections from its address, load.
     */
    private void admit(Connection conn, Conn c, String origin, String authorization) {
        if (origin != null) {
            // Browsers always send Origin: --allowed-origin decides which sites' pages may connect.
            if (!config.allowedOrigins().isEmpty() && !config.allowedOrigins().contains(origin)) {
                refuse(conn, new Message.Error(ErrorCode.ORIGIN_NOT_ALLOWED,
                        "origin " + abbreviate(origin) + " may not use this server"), CloseCodes.POLICY_VALIDATION);
                return;
            }
        }
        c.tokenPresented = validToken(authorization);
        if (origin == null && !config.peerTokens().isEmpty() && !c.tokenPresented) {
            // No Origin: not a browser page. Such peers prove themselves with a token when the operator set one.
            refuse(conn, new Message.Error(ErrorCode.TOKEN_REQUIRED, authorization == null
                    ? "this server admits peers without an Origin only with a token (Authorization: Bearer …)"
                    : "the token is not one this server accepts"), CloseCodes.POLICY_VALIDATION);
            return;
        }
        // Counted by the transport from the moment each socket was accepted, upgraded or not.
        if (transport.socketsFrom(c.address) > config.maxConnectionsPerAddress()) {
            refuse(conn, new Message.Error(ErrorCode.TOO_MANY_CONNECTIONS, "at most "
                    + config.maxConnectionsPerAddress() + " connections from one address"), CloseCodes.POLICY_VALIDATION);
            return;
        }
        long delay = admissionDelayMs();
        if (delay > 0) {
            metrics.refusedOverload.increment();
            refuse(conn, new Message.Error(ErrorCode.OVERLOADED, "too many new connections at once; try again in "
                    + delay + " ms", delay), CloseCodes.TRY_AGAIN_LATER);
            return;
        }
        if (welcomed.get() >= config.maxPeers()) {
            refuseFull(conn);
        }
    }

    /** True when {@code authorization} is {@code Bearer <one of the configured tokens>}; compared in constant time. */
    private boolean validToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        boolean ok = false;
        for (String token : config.peerTokens()) {
            ok |= java.security.MessageDigest.isEqual(given, token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return ok;
    }

    private void refuseFull(Connection conn) {
        metrics.refusedOverload.increment();
        // Spread the retries: each refused client waits between 1 and 2 times the hint.
        long retry = config.retryAfterMs() + ThreadLocalRandom.current().nextLong(config.retryAfterMs() + 1);
        refuse(conn, new Message.Error(ErrorCode.OVERLOADED, "server is full (" + config.maxPeers()
                + " peers); try again later", retry), CloseCodes.TRY_AGAIN_LATER);
    }

    /** Applies the per-connection message rate; true when the frame may be handled. */
    private boolean withinRate(Connection conn, Conn c) {
        long now = System.nanoTime();
        if (c.bucket.tryTake(now)) {
            c.dropped = 0; // only an unbroken run of drops closes a connection
            return true;
        }
        c.dropped++;
        if (c.dropped > config.messageBurst()) {
            refuse(conn, new Message.Error(ErrorCode.RATE_LIMITED, "too many messages: more than "
                    + config.messagesPerSecond() + " a second; disconnected"), CloseCodes.POLICY_VALIDATION);
        } else if (now - c.lastRateError > 1_000_000_000L) {
            c.lastRateError = now;
            sendError(conn, ErrorCode.RATE_LIMITED, "too many messages: at most " + config.messagesPerSecond()
                    + " a second; this one and others were dropped");
        } else {
            metrics.error(ErrorCode.RATE_LIMITED);
        }
        return false;
    }

    /** What the transport tells the signaling logic; on the connection's event loop. */
    private final class Events implements WebSocketTransport.Listener {
        @Override
        public void onOpen(Connection conn, String origin, String authorization, WebSocketTransport.Forwarding forwarding) {
            Conn c = new Conn(conn.address(),
                    new TokenBucket(config.messagesPerSecond(), config.messageBurst(), System.nanoTime()));
            c.client = trustedProxies.clientAddress(c.address, forwarding.forwarded(), forwarding.xForwardedFor());
            conn.setState(c);
            admit(conn, c, origin, authorization);
        }

        @Override
        public void onPong(Connection conn) {
            Conn c = conn.state();
            if (c != null) {
                c.lastHeardNanos = System.nanoTime();
            }
        }

        @Override
        public void onText(Connection conn, String text) {
            Conn c = conn.state();
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
                log.warn("error handling {} from {}", MessageCodec.typeName(message), conn, e);
                sendError(conn, ErrorCode.BAD_MESSAGE, "could not handle message: " + e.getMessage());
            }
        }

        @Override
        public void onBinary(Connection conn) {
            Conn c = conn.state();
            metrics.messagesReceived.increment();
            if (c != null && withinRate(conn, c)) {
                sendError(conn, ErrorCode.BINARY_NOT_ALLOWED, "binary frames are not part of this protocol; send JSON text");
            }
        }

        @Override
        public void onClosed(Connection conn, int code) {
            Conn c = conn.state();
            if (c != null) {
                onGone(conn, c);
            }
        }
    }
}
