package io.swarmkeeper.server;

import io.swarmkeeper.protocol.Message;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Settings of a signaling server. Build one with {@link #builder()}; every value has a default
 * fit for a small public server.
 */
public record ServerConfig(
        String host,
        int port,
        int maxFrameBytes,
        int maxHashesPerMessage,
        int maxHoldingsPerPeer,
        int maxMatchCount,
        int heartbeatSeconds,
        List<Message.IceServer> iceServers,
        int maxPeers,
        int maxConnectionsPerAddress,
        int messagesPerSecond,
        int messageBurst,
        Set<String> allowedOrigins,
        int resumeGraceSeconds,
        int wantSeconds,
        long retryAfterMs,
        int acceptBacklog,
        int maxHandshakesPerSecond,
        Tls tls,
        int demandMinWants,
        int demandTargetHolders,
        int upgradeTimeoutMs,
        int maxHeaderBytes,
        int maxQueuedBytes,
        int maxHoldingsPerAddress,
        int maxHoldingsTotal,
        int fdReserve,
        Set<String> peerTokens,
        List<Path> geoCityFiles,
        List<Path> geoAsnFiles,
        int geoReloadSeconds,
        List<String> trustedProxies,
        int maxHoldersConsidered,
        String redis) {

    /** Where the server's certificate comes from: a PKCS#12 keystore, or PEM certificate and key files. */
    public record Tls(Path keystore, String keystorePassword, Path certificatePem, Path privateKeyPem) {
        public Tls {
            boolean pkcs12 = keystore != null;
            boolean pem = certificatePem != null || privateKeyPem != null;
            if (pkcs12 == pem) {
                throw new IllegalArgumentException("TLS needs either a PKCS#12 keystore or a PEM certificate and key");
            }
            if (pem && (certificatePem == null || privateKeyPem == null)) {
                throw new IllegalArgumentException("PEM TLS needs both a certificate file and a private key file");
            }
        }
    }

    public ServerConfig {
        requireRange("port", port, 0, 65535);
        requireRange("max frame bytes", maxFrameBytes, 1024, 16 * 1024 * 1024);
        requireRange("max hashes per message", maxHashesPerMessage, 1, 100_000);
        requireRange("max holdings per peer", maxHoldingsPerPeer, 1, 100_000_000);
        requireRange("max match count", maxMatchCount, 1, 64);
        requireRange("heartbeat seconds", heartbeatSeconds, 1, 3600);
        requireRange("max peers", maxPeers, 1, 10_000_000);
        requireRange("max connections per address", maxConnectionsPerAddress, 1, 10_000_000);
        requireRange("messages per second", messagesPerSecond, 1, 1_000_000);
        requireRange("message burst", messageBurst, 1, 1_000_000);
        requireRange("resume grace seconds", resumeGraceSeconds, 0, 86_400);
        requireRange("want seconds", wantSeconds, 1, 86_400);
        requireRange("accept backlog", acceptBacklog, 1, 1_000_000);
        requireRange("max handshakes per second", maxHandshakesPerSecond, 1, 1_000_000);
        requireRange("demand min wants", demandMinWants, 1, 1_000_000);
        requireRange("demand target holders", demandTargetHolders, 0, 1000);
        requireRange("upgrade timeout ms", upgradeTimeoutMs, 100, 600_000);
        requireRange("max header bytes", maxHeaderBytes, 1024, 65_536);
        requireRange("max queued bytes", maxQueuedBytes, 16 * 1024, 256 * 1024 * 1024);
        requireRange("max holdings per address", maxHoldingsPerAddress, 1, 100_000_000);
        requireRange("max holdings", maxHoldingsTotal, 1, 1_000_000_000);
        requireRange("fd reserve", fdReserve, 0, 1_000_000);
        requireRange("geo reload seconds", geoReloadSeconds, 0, 86_400 * 31);
        requireRange("max holders considered", maxHoldersConsidered, 1, 100_000);
        if (retryAfterMs < 0) {
            throw new IllegalArgumentException("retry-after must not be negative, got " + retryAfterMs);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        iceServers = List.copyOf(iceServers);
        allowedOrigins = Set.copyOf(allowedOrigins);
        peerTokens = Set.copyOf(peerTokens);
        geoCityFiles = List.copyOf(geoCityFiles);
        geoAsnFiles = List.copyOf(geoAsnFiles);
        trustedProxies = List.copyOf(trustedProxies);
        TrustedProxies.parse(trustedProxies); // refuses what is not an address or block
        if (geoCityFiles.isEmpty() && !geoAsnFiles.isEmpty()) {
            throw new IllegalArgumentException("geo asn files need a city database too (--geo-city): the AS alone cannot tell near from far");
        }
        for (String token : peerTokens) {
            if (token.length() < 16 || !token.matches("[\\x21-\\x7e]+")) {
                throw new IllegalArgumentException("a peer token must be at least 16 printable characters without spaces");
            }
        }
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
    }

    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

    /**
     * What one announced holding costs the server's heap, measured (`.ci/bench HoldingCost`, see
     * docs/benchmarks.md): the defaults for holdings are sized from it and the heap.
     */
    public static final int BYTES_PER_HOLDING = 200;

    /** Holdings of one address by default: at most 1/64 of the heap, within 1,000..1,000,000. */
    public static int defaultMaxHoldingsPerAddress(long maxHeapBytes) {
        return (int) Math.max(1_000, Math.min(1_000_000, maxHeapBytes / 64 / BYTES_PER_HOLDING));
    }

    /** Holdings of all peers by default: at most half the heap, within 10,000..100,000,000. */
    public static int defaultMaxHoldingsTotal(long maxHeapBytes) {
        return (int) Math.max(10_000, Math.min(100_000_000, maxHeapBytes / 2 / BYTES_PER_HOLDING));
    }

    public static ServerConfig loopback(int port) {
        return builder().host("127.0.0.1").port(port).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.maxFrameBytes = maxFrameBytes;
        b.maxHashesPerMessage = maxHashesPerMessage;
        b.maxHoldingsPerPeer = maxHoldingsPerPeer;
        b.maxMatchCount = maxMatchCount;
        b.heartbeatSeconds = heartbeatSeconds;
        b.iceServers = iceServers;
        b.maxPeers = maxPeers;
        b.maxConnectionsPerAddress = maxConnectionsPerAddress;
        b.messagesPerSecond = messagesPerSecond;
        b.messageBurst = messageBurst;
        b.allowedOrigins = allowedOrigins;
        b.resumeGraceSeconds = resumeGraceSeconds;
        b.wantSeconds = wantSeconds;
        b.retryAfterMs = retryAfterMs;
        b.acceptBacklog = acceptBacklog;
        b.maxHandshakesPerSecond = maxHandshakesPerSecond;
        b.tls = tls;
        b.demandMinWants = demandMinWants;
        b.demandTargetHolders = demandTargetHolders;
        b.upgradeTimeoutMs = upgradeTimeoutMs;
        b.maxHeaderBytes = maxHeaderBytes;
        b.maxQueuedBytes = maxQueuedBytes;
        b.maxHoldingsPerAddress = maxHoldingsPerAddress;
        b.maxHoldingsTotal = maxHoldingsTotal;
        b.fdReserve = fdReserve;
        b.peerTokens = peerTokens;
        b.geoCityFiles = geoCityFiles;
        b.geoAsnFiles = geoAsnFiles;
        b.geoReloadSeconds = geoReloadSeconds;
        b.trustedProxies = trustedProxies;
        b.maxHoldersConsidered = maxHoldersConsidered;
        b.redis = redis;
        return b;
    }

    /** Defaults, then whatever is set. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8765;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private int maxHashesPerMessage = 1000;
        private int maxHoldingsPerPeer = 100_000;
        private int maxMatchCount = 8;
        private int heartbeatSeconds = 30;
        private List<Message.IceServer> iceServers = List.of();
        private int maxPeers = 100_000;
        private int maxConnectionsPerAddress = 64;
        private int messagesPerSecond = 50;
        private int messageBurst = 200;
        private Set<String> allowedOrigins = Set.of();
        private int resumeGraceSeconds = 120;
        private int wantSeconds = 60;
        private long retryAfterMs = 5000;
        private int acceptBacklog = 4096;
        private int maxHandshakesPerSecond = 2000;
        private Tls tls;
        private int demandMinWants = 2;
        private int demandTargetHolders = 2;
        private int upgradeTimeoutMs = 10_000;
        private int maxHeaderBytes = 8192;
        private int maxQueuedBytes = 1024 * 1024;
        private int maxHoldingsPerAddress = defaultMaxHoldingsPerAddress(Runtime.getRuntime().maxMemory());
        private int maxHoldingsTotal = defaultMaxHoldingsTotal(Runtime.getRuntime().maxMemory());
        private int fdReserve = 256;
        private Set<String> peerTokens = Set.of();
        private List<Path> geoCityFiles = List.of();
        private List<Path> geoAsnFiles = List.of();
        private int geoReloadSeconds = 300;
        private List<String> trustedProxies = List.of();
        private int maxHoldersConsidered = 256;
        private String redis;

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
        public Builder maxHashesPerMessage(int v) { maxHashesPerMessage = v; return this; }
        public Builder maxHoldingsPerPeer(int v) { maxHoldingsPerPeer = v; return this; }
        public Builder maxMatchCount(int v) { maxMatchCount = v; return this; }
        public Builder heartbeatSeconds(int v) { heartbeatSeconds = v; return this; }
        public Builder iceServers(List<Message.IceServer> v) { iceServers = v; return this; }
        public Builder maxPeers(int v) { maxPeers = v; return this; }
        public Builder maxConnectionsPerAddress(int v) { maxConnectionsPerAddress = v; return this; }
        public Builder messagesPerSecond(int v) { messagesPerSecond = v; return this; }
        public Builder messageBurst(int v) { messageBurst = v; return this; }
        public Builder allowedOrigins(Set<String> v) { allowedOrigins = v; return this; }
        public Builder resumeGraceSeconds(int v) { resumeGraceSeconds = v; return this; }
        public Builder wantSeconds(int v) { wantSeconds = v; return this; }
        public Builder retryAfterMs(long v) { retryAfterMs = v; return this; }
        public Builder acceptBacklog(int v) { acceptBacklog = v; return this; }
        public Builder maxHandshakesPerSecond(int v) { maxHandshakesPerSecond = v; return this; }
        public Builder tls(Tls v) { tls = v; return this; }
        /** Wants within a minute that make a poorly held resource "in demand". */
        public Builder demandMinWants(int v) { demandMinWants = v; return this; }
        /** Holders below which a wanted resource is poorly held; 0 turns demand off. */
        public Builder demandTargetHolders(int v) { demandTargetHolders = v; return this; }

        /** A connection that has not completed its WebSocket upgrade by then is closed. */
        public Builder upgradeTimeoutMs(int v) { upgradeTimeoutMs = v; return this; }
        /** The upgrade request's headers (the request line: at most 4 KiB of its own); beyond, 431 (414) and closed. */
        public Builder maxHeaderBytes(int v) { maxHeaderBytes = v; return this; }
        /** Bytes waiting to be sent to one connection; a peer that lets more pile up is disconnected. */
        public Builder maxQueuedBytes(int v) { maxQueuedBytes = v; return this; }
        /** Holdings of all peers connected from one address (IPv6: one /64) together. */
        public Builder maxHoldingsPerAddress(int v) { maxHoldingsPerAddress = v; return this; }
        /** Holdings of all peers together. */
        public Builder maxHoldingsTotal(int v) { maxHoldingsTotal = v; return this; }
        /** File descriptors kept free: the server stops accepting before it would use them. */
        public Builder fdReserve(int v) { fdReserve = v; return this; }

        /**
         * Tokens that admit peers whose handshake carries no {@code Origin} (seeders, command-line
         * peers: anything but a browser page), as {@code Authorization: Bearer TOKEN}. Empty: such
         * peers need none.
         */
        public Builder peerTokens(Set<String> v) { peerTokens = v; return this; }

        /**
         * City databases (DB-IP City Lite, MMDB; its IPv4 and IPv6 files) for proximity pairing;
         * none: holders are offered in random order.
         */
        public Builder geoCityFiles(List<Path> v) { geoCityFiles = v; return this; }
        /** ASN databases (ip-location-db CSV ranges, or an ASN MMDB); optional beside the city ones. */
        public Builder geoAsnFiles(List<Path> v) { geoAsnFiles = v; return this; }
        /** How often the geolocation files are checked for a replacement; 0: never. */
        public Builder geoReloadSeconds(int v) { geoReloadSeconds = v; return this; }
        /**
         * Reverse proxies (addresses or CIDR blocks) whose Forwarded / X-Forwarded-For header
         * gives the client's address, for placing it; from anyone else those headers are ignored.
         */
        public Builder trustedProxies(List<String> v) { trustedProxies = v; return this; }

        /**
         * Holders of one resource a match ranks, sampled at random when more hold it: bounds the
         * cost of a popular resource's match; more finds nearer holders (docs/benchmarks.md).
         */
        public Builder maxHoldersConsidered(int v) { maxHoldersConsidered = v; return this; }

        /**
         * The Redis shared by several servers that act as one ({@code redis://[:password@]host:port},
         * {@code rediss://} for TLS); null (the default): this server keeps its state in memory, alone.
         * Used by {@code cluster.ClusteredServer}.
         */
        public Builder redis(String v) { redis = v; return this; }

        public ServerConfig build() {
            return new ServerConfig(host, port, maxFrameBytes, maxHashesPerMessage, maxHoldingsPerPeer, maxMatchCount,
                    heartbeatSeconds, iceServers, maxPeers, maxConnectionsPerAddress, messagesPerSecond, messageBurst,
                    allowedOrigins, resumeGraceSeconds, wantSeconds, retryAfterMs, acceptBacklog,
                    maxHandshakesPerSecond, tls, demandMinWants, demandTargetHolders, upgradeTimeoutMs, maxHeaderBytes,
                    maxQueuedBytes, maxHoldingsPerAddress, maxHoldingsTotal, fdReserve, peerTokens, geoCityFiles,
                    geoAsnFiles, geoReloadSeconds, trustedProxies, maxHoldersConsidered, redis);
        }
    }
}
