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
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    /** The longest wait the admission queue hands out. */
    static final long MAX_ADMISSION_WAIT_MS = Admission.MAX_WAIT_MS;
    /** Why a peer is told to come back while a cluster's Redis cannot be reached. */
    private static final String SHARED_STATE_AWAY = "the servers' shared state cannot be reached just now; try again later";
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
    private final DemandLedger demand;
    private final OpenWants wants;
    private final Resumption resumeTokens;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Replies replies = new Replies(metrics);
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    /** The other servers of a cluster; null for a server alone. */
    private final ClusterBus bus;
    /** The message families handled apart: signals relayed, reports and confirmations. */
    private final Relay relay;
    private final Reports reports;
    /** Connected peers that said they are seeders: the ones demand goes to. */
    private final Set<Connection> seeders = ConcurrentHashMap.newKeySet();
    private final Matching matching;
    private final HoldingQuota holdingQuota;
    private final AtomicInteger welcomed = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "server-metrics");
        t.setDaemon(true);
        return t;
    });
    /** The pool the connections' lanes run on, in a cluster; null for a server alone. */
    private final java.util.concurrent.ExecutorService laneWorkers;
    private WebSocketTransport transport;
    private Admission admission;
    private Heartbeat heartbeat;

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
        this(config, directory, ranking, geo, null, new ResumeTokens(config.resumeGraceSeconds()),
                new DemandTracker(config.demandMinWants(), config.demandTargetHolders()));
    }

    /**
     * One server of a cluster: {@code directory} shared with the others, {@code bus} reaching the
     * peers connected to them, {@code resumption} valid on all (from {@code cluster.ClusteredServer});
     * the bus is closed with this server.
     */
    public SignalingServer(ServerConfig config, PeerDirectory directory, ClusterBus bus, Resumption resumption,
                           DemandLedger demand) {
        this(config, directory, config.geoCityFiles().isEmpty() ? new ShuffledRanking() : new ProximityRanking(), null, bus,
                resumption, demand);
    }

    private SignalingServer(ServerConfig config, PeerDirectory directory, HolderRanking ranking, Geolocator geo,
                            ClusterBus bus, Resumption resumption, DemandLedger demand) {
        this.config = config;
        this.bus = bus;
        this.laneWorkers = bus == null ? null : Executors.newFixedThreadPool(
                4 * Runtime.getRuntime().availableProcessors(), new java.util.concurrent.ThreadFactory() {
                    private final AtomicInteger made = new AtomicInteger();

                    @Override
                    public Thread newThread(Runnable r) {
                        Thread t = new Thread(r, "cluster-lane-" + made.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    }
                });
        this.relay = new Relay(pairings, metrics, replies, connections::get, bus, () -> admission.spreadRetryMs());
        this.directory = directory;
        this.ranking = ranking;
        this.geo = geo;
        this.trustedProxies = TrustedProxies.parse(config.trustedProxies());
        this.wants = new OpenWants(config.wantSeconds());
        this.demand = demand;
        this.resumeTokens = resumption;
        this.holdingQuota = new HoldingQuota(config.maxHoldingsPerAddress(), config.maxHoldingsTotal());
        this.matching = new Matching(config, directory, ranking, reputation, pairings, wants, demand, metrics, replies,
                connections, seeders, bus);
        this.reports = new Reports(pairings, reputation, metrics, replies, this::sessionOfPeer, this::remotePartyOf, bus);
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
        admission = new Admission(config, metrics, replies, transport, welcomed::get);
        heartbeat = new Heartbeat(transport, metrics, config.heartbeatSeconds());
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
        sampler.scheduleAtFixedRate(Fatal.guarded("heartbeat", heartbeat::tick), Heartbeat.TICK_MS, Heartbeat.TICK_MS,
                TimeUnit.MILLISECONDS);
        if (bus != null) {
            bus.start(new FromOtherServers(connections, pairings, metrics, replies, matching, admission, bus, reputation));
        }
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

    /** This server's id in its cluster; null for a server alone. */
    public String clusterInstance() {
        return bus == null ? null : bus.instance();
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
        return metrics.prometheus(pairings.pairCount(), wants.size(), parkedCount())
                + ServerMetrics.proximityPrometheus(g != null, g == null ? 0 : g.reloads())
                + (bus == null ? "" : bus.prometheus());
    }

    public String statsJson() {
        Geolocator g = geo;
        String json = metrics.json(pairings.pairCount(), wants.size(), parkedCount(),
                g == null ? null : g.describe(), g == null ? 0 : g.reloads());
        if (bus == null) {
            return json;
        }
        try {
            com.fasterxml.jackson.databind.node.ObjectNode stats =
                    (com.fasterxml.jackson.databind.node.ObjectNode) MessageCodec.mapper().readTree(json);
            stats.set("cluster", bus.stats());
            return stats.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Resumable peers; -1 while a cluster's Redis cannot be reached. */
    private int parkedCount() {
        try {
            return resumeTokens.parkedCount();
        } catch (SharedStateException e) {
            return -1;
        }
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
        if (bus != null) {
            bus.close();
        }
        if (laneWorkers != null) {
            laneWorkers.shutdownNow();
        }
    }

    /**
     * Where a peer saying hello is: its browser's coordinates when plausible (coarsened to about
     * 10 km first), else its address's place; unknown when proximity pairing is off.
     */
    private PeerPlace placeOf(ConnectionState c, Message.Hello hello) {
        Geolocator g = geo;
        if (g == null) {
            return PeerPlace.UNKNOWN;
        }
        Message.Coordinates coords = hello.coords();
        GeoPoint browser = coords == null ? null : BrowserPosition.coarsen(coords.lat(), coords.lon(), coords.accuracy());
        return g.locate(c.client, browser);
    }

    private String newPeerId() {
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(id);
    }

    private void handle(Connection conn, ConnectionState c, Message message) {
        if (message instanceof Message.Hello hello) {
            onHello(conn, c, hello);
            return;
        }
        PeerSession session = c.session();
        if (session == null) {
            replies.error(conn, ErrorCode.NOT_WELCOMED, "send \"hello\" first");
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
            matching.onWant(conn, session, want);
        } else if (message instanceof Message.Cancel cancel) {
            if (ResourceId.isValid(cancel.hash())) {
                wants.close(session.id(), ResourceId.parse(cancel.hash()));
            } else {
                replies.error(conn, ErrorCode.BAD_HASH, "not a resource id: " + Replies.abbreviate(cancel.hash()));
            }
        } else if (message instanceof Message.Signal signal) {
            relay.onSignal(conn, session, signal);
        } else if (message instanceof Message.Report report) {
            reports.onReport(conn, session, report);
        } else if (message instanceof Message.Served served) {
            reports.onServed(conn, session, served);
        } else if (message instanceof Message.Bye) {
            conn.close(CloseCodes.NORMAL, "bye");
        } else {
            replies.error(conn, ErrorCode.BAD_MESSAGE,
                    "\"" + MessageCodec.typeName(message) + "\" is sent by the server, not to it");
        }
    }

    private void onHello(Connection conn, ConnectionState c, Message.Hello hello) {
        PeerSession existing = c.session();
        if (existing != null) {
            replies.error(conn, ErrorCode.ALREADY_WELCOMED, "already welcomed as " + existing.id());
            return;
        }
        if (hello.version() != Message.PROTOCOL_VERSION) {
            metrics.error(ErrorCode.UNSUPPORTED_VERSION);
            replies.send(conn, new Message.Error(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + hello.version()
                    + " is not supported; this server speaks " + Message.PROTOCOL_VERSION));
            conn.close(CloseCodes.POLICY_VALIDATION, "unsupported version");
            return;
        }
        PeerRole role = hello.role() == null ? PeerRole.PEER : hello.role();
        if (role == PeerRole.SEEDER && !config.peerTokens().isEmpty() && !c.tokenPresented) {
            // Seeders hear demand: with tokens set, only token holders may say they are one (an
            // Origin header proves nothing to a program that can send any).
            replies.refuse(conn, new Message.Error(ErrorCode.TOKEN_REQUIRED,
                    "this server admits seeders only with a token (Authorization: Bearer …)"), CloseCodes.POLICY_VALIDATION);
            return;
        }
        PeerSession created;
        boolean resumed = false;
        PeerPlace place = placeOf(c, hello); // outside the lock: a lookup takes microseconds
        // onClose may run on the selector thread while a worker still handles this hello:
        // registering and forgetting a connection are serialised on it, so no ghost remains.
        if (welcomed.get() >= config.maxPeers()) {
            admission.refuseFull(conn); // admitted in the same instant as others that filled the server
            return;
        }
        if (bus != null && !bus.available()) {
            admission.refuseForNow(conn, SHARED_STATE_AWAY);
            return;
        }
        String token;
        String resumable;
        try {
            Resumption.Redeemed redeemed = resumeTokens.redeem(hello.resume(), System.nanoTime());
            if (redeemed.waitMs() > 0) {
                // Its id is still counted on a server that went silent: come back once that one is
                // seen dead, and resume then.
                admission.refuseFor(conn, "this id is still counted on another server; come back to resume it",
                        redeemed.waitMs());
                return;
            }
            resumable = redeemed.peerId();
        } catch (SharedStateException e) {
            admission.refuseForNow(conn, SHARED_STATE_AWAY);
            return;
        }
        synchronized (c) {
            if (c.gone) {
                return;
            }
            String id = resumable;
            if (id != null && connections.putIfAbsent(id, conn) == null) {
                resumed = true;
            } else {
                id = newPeerId();
                while (connections.putIfAbsent(id, conn) != null) {
                    id = newPeerId();
                }
            }
            created = new PeerSession(id, role, c.network, System.nanoTime(), place);
            try {
                directory.add(created.record());
                token = resumeTokens.issue(created.id(), role);
            } catch (SharedStateException e) {
                // A cluster's Redis is away: no half-registered peer stays behind (the directory
                // removes a record it could not remove now once Redis answers again).
                directory.remove(id);
                connections.remove(id, conn);
                created = null;
                token = null;
            }
            if (created != null) {
                c.session = created;
                welcomed.incrementAndGet();
                metrics.peerJoined(role);
                if (role == PeerRole.SEEDER) {
                    seeders.add(conn);
                }
            }
        }
        if (created == null) {
            admission.refuseForNow(conn, SHARED_STATE_AWAY);
            return;
        }
        if (resumed) {
            metrics.resumed.increment();
        }
        replies.send(conn, new Message.Welcome(created.id(), token, resumed, config.iceServers(),
                new Message.Limits(config.maxFrameBytes(), config.maxHashesPerMessage(),
                        config.messagesPerSecond(), config.heartbeatSeconds(), config.messageBurst())));
        log.debug("peer {} {} as {} from {}", created.id(), resumed ? "resumed" : "joined", role.wireName(),
                conn);
    }

    private List<ResourceId> parseHashes(Connection conn, List<String> hashes) {
        if (hashes == null) {
            replies.error(conn, ErrorCode.BAD_MESSAGE, "\"hashes\" must be a list");
            return null;
        }
        if (hashes.size() > config.maxHashesPerMessage()) {
            replies.error(conn, ErrorCode.TOO_MANY_HASHES, hashes.size() + " hashes in one message; at most "
                    + config.maxHashesPerMessage() + ", send several");
            return null;
        }
        List<ResourceId> ids = new ArrayList<>(hashes.size());
        for (String hash : hashes) {
            if (!ResourceId.isValid(hash)) {
                replies.error(conn, ErrorCode.BAD_HASH, "not a resource id: " + Replies.abbreviate(hash));
                return null;
            }
            ids.add(ResourceId.parse(hash));
        }
        return ids;
    }

    private void onHave(Connection conn, ConnectionState c, PeerSession session, Message.Have have) {
        List<ResourceId> ids = parseHashes(conn, have.hashes());
        if (ids == null) {
            return;
        }
        if (directory.holdingCount(session.id()) + ids.size() > config.maxHoldingsPerPeer()) {
            replies.error(conn, ErrorCode.TOO_MANY_HOLDINGS, "a peer may announce at most "
                    + config.maxHoldingsPerPeer() + " resources; these " + ids.size() + " were not recorded");
            return;
        }
        // Room for all of them first, then give back what was not new: peers of one network
        // announcing at once cannot pass its limit between them.
        HoldingQuota.Refusal refusal = holdingQuota.reserve(c.network, ids.size());
        if (refusal == HoldingQuota.Refusal.ADDRESS) {
            replies.error(conn, ErrorCode.TOO_MANY_HOLDINGS, "the peers of one address may announce at most "
                    + config.maxHoldingsPerAddress() + " resources together; these " + ids.size() + " were not recorded");
            return;
        }
        if (refusal == HoldingQuota.Refusal.SERVER) {
            replies.error(conn, ErrorCode.TOO_MANY_HOLDINGS, "this server records at most " + config.maxHoldingsTotal()
                    + " holdings and is full; these " + ids.size() + " were not recorded");
            return;
        }
        int added;
        synchronized (c) {
            // A peer that left meanwhile has no holdings to add to; the directory ignores it.
            try {
                added = c.gone ? 0 : directory.addHoldings(session.id(), ids);
            } catch (SharedStateException e) {
                holdingQuota.release(c.network, ids.size());
                throw e;
            }
        }
        holdingQuota.release(c.network, ids.size() - added);
        long now = System.nanoTime();
        for (ResourceId id : ids) {
            wants.close(session.id(), id); // it has it now
            matching.offerToWaitingAskers(session, id, now);
        }
    }

    /** A connected peer's session, or null. */
    private PeerSession sessionOfPeer(String peerId) {
        return ConnectionState.sessionOf(connections.get(peerId));
    }

    /**
     * In a cluster, a peer connected to another server as reputation counts it (its joining time
     * is not shared: taken as now); null when it is connected here or nowhere.
     */
    private Reputation.Party remotePartyOf(String peerId) {
        if (bus == null || connections.containsKey(peerId)) {
            return null;
        }
        return directory.find(peerId).map(r -> new Reputation.Party(peerId, r.network(), System.nanoTime())).orElse(null);
    }

    private void onGone(Connection conn, ConnectionState c) {
        PeerSession session;
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
                    String home = bus == null || connections.containsKey(partner) ? null : bus.homeOf(partner);
                    if (home != null) {
                        bus.gone(home, partner, session.id(), session.network());
                    } else {
                        matching.tellPartnerGone(partner, session.id(), now);
                    }
                } catch (RuntimeException e) {
                    log.warn("could not tell {} that {} left", partner, session.id(), e);
                }
            }
        } finally {
            // Last: a quick resume must not have its fresh wants and pairings wiped by the above.
            resumeTokens.park(session.id(), now);
        }
    }

    /**
     * Whether handling {@code message} may wait for a cluster's shared state (Redis): a report or
     * confirmation may look up a holder on another server and tells the others.
     */
    private static boolean waitsForSharedState(Message message) {
        return message instanceof Message.Hello || message instanceof Message.Have || message instanceof Message.Lost
                || message instanceof Message.Want || message instanceof Message.Report || message instanceof Message.Served;
    }

    /** What the transport tells the signaling logic; on the connection's event loop. */
    private final class Events implements WebSocketTransport.Listener {
        @Override
        public void onOpen(Connection conn, String origin, String authorization, WebSocketTransport.Forwarding forwarding) {
            ConnectionState c = new ConnectionState(conn.address(),
                    new TokenBucket(config.messagesPerSecond(), config.messageBurst(), System.nanoTime()));
            if (laneWorkers != null) {
                c.lane = new Lane(laneWorkers);
            }
            c.client = trustedProxies.clientAddress(c.address, forwarding.forwarded(), forwarding.xForwardedFor());
            conn.setState(c);
            admission.admit(conn, c, origin, authorization);
        }

        @Override
        public void onPong(Connection conn) {
            ConnectionState c = conn.state();
            if (c != null) {
                c.lastHeardNanos = System.nanoTime();
            }
        }

        @Override
        public void onText(Connection conn, String text) {
            ConnectionState c = conn.state();
            metrics.messagesReceived.increment();
            if (c != null) {
                c.lastHeardNanos = System.nanoTime();
            }
            if (c == null || !admission.withinRate(conn, c)) {
                return;
            }
            Message message;
            try {
                message = MessageCodec.decode(text);
            } catch (ProtocolException e) {
                replies.error(conn, e.code(), e.getMessage());
                return;
            }
            // Messages that wait for nothing shared (a signal, whose relay to another server does
            // not wait; a cancel, a bye) run here when nothing of theirs waits on the lane: a storm of
            // hellos waiting for Redis does not hold up the signals of peers already connected.
            if (c.lane == null || (c.lane.idle() && !waitsForSharedState(message))) {
                handleReplying(conn, c, message);
                return;
            }
            try {
                c.lane.execute(() -> handleReplying(conn, c, message));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                replies.send(conn, new Message.Error(ErrorCode.OVERLOADED, "too many messages waiting; try this again later",
                        admission.spreadRetryMs()));
            }
        }

        /** Handles one message, answering its failure: on the event loop alone, on its lane in a cluster. */
        private void handleReplying(Connection conn, ConnectionState c, Message message) {
            try {
                handle(conn, c, message);
            } catch (SharedStateException e) {
                // Told to come back, never answered without the shared state; the connection stays.
                replies.send(conn, new Message.Error(ErrorCode.OVERLOADED, "the servers' shared state cannot be reached"
                        + " just now; try this again later", admission.spreadRetryMs()));
            } catch (RuntimeException e) {
                log.warn("error handling {} from {}", MessageCodec.typeName(message), conn, e);
                replies.error(conn, ErrorCode.BAD_MESSAGE, "could not handle message: " + e.getMessage());
            }
        }

        @Override
        public void onBinary(Connection conn) {
            ConnectionState c = conn.state();
            metrics.messagesReceived.increment();
            if (c != null && admission.withinRate(conn, c)) {
                replies.error(conn, ErrorCode.BINARY_NOT_ALLOWED, "binary frames are not part of this protocol; send JSON text");
            }
        }

        @Override
        public void onClosed(Connection conn, int code) {
            ConnectionState c = conn.state();
            if (c == null) {
                return;
            }
            if (c.lane == null) {
                onGone(conn, c);
                return;
            }
            try {
                c.lane.execute(() -> onGone(conn, c)); // after what it sent before it went
            } catch (java.util.concurrent.RejectedExecutionException e) {
                onGone(conn, c);
            }
        }
    }
}
