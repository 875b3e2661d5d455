package io.swarmkeeper.node;

import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.manifest.OriginKey;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.transfer.ContentSource;
import io.swarmkeeper.transfer.MessageSink;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeder, assembled: its store (quota, scrub), its node (one connection to the signaling server,
 * one id, one registry of links, one event stream) with the seeding role on it, the manifests it
 * seeds (signatures checked against its trusted keys, read again on a schedule or when asked),
 * its rate limits, the origins it takes demand from, where origins may be, the token it presents,
 * and its shutdown. The one way a seeder is put together: by {@code seed}, the window, the demo
 * swarm and the tests' seeders, each choosing its options on the {@link Builder}.
 */
public final class Seeder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Seeder.class);

    /** Something the operator should know about what the assembly made of its settings. */
    public sealed interface Warning {
        /** The quota asked for is more than the store's disk can hold: the store keeps within {@code kept}. */
        record QuotaCapped(Path store, long asked, long kept) implements Warning {}

        /** A manifest was taken without a signature check (no trusted keys): its hashes guard the bytes, not the list. */
        record UnsignedManifest(String source) implements Warning {}
    }

    private final ContentStore store;
    private final Node node;
    private final SeederNode seeder;
    private final Builder settings;
    /**
     * The sites (manifests read from files or URLs), by source, each with its keys and as last
     * read; read again by {@link #refreshManifests}. Changed holding {@code refreshing}; read by
     * {@link #siteReports} at any time.
     */
    private final Map<String, SiteState> sites = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, SeederNode.SeedReport> reports = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** One reading of the manifests at a time (the schedule's, or one asked for). */
    private final Object refreshing = new Object();
    private final ScheduledExecutorService refreshes;
    private volatile Fetcher fetcher;
    /** The manifests as read at start (while the store opened), until {@link #seedManifests} seeds them. Guarded by refreshing. */
    private List<FirstReading> readFirst;
    private boolean refreshScheduled; // guarded by refreshing

    /** A manifest as read at start, or why it could not be read (with {@link Builder#keepUnreadableSites}). */
    private record FirstReading(Manifest.Signed read, String failure) {}

    /**
     * A site as last read: its keys ({@code trustedKeys}), its last good manifest and the key that
     * signed it, when that reading was (all null while it was never read well), when it was last
     * tried, and that try's failure (null when it went well).
     */
    private record SiteState(List<OriginKey> trustedKeys, Manifest manifest, OriginKey signedBy, Instant readAt,
                             Instant triedAt, String failure) {}

    /**
     * What the Sites view shows of one site: its manifest, the keys it must be signed by and the
     * one that signed it, how many of the resources it lists the store holds, when it was last
     * read well and last tried, and why the last try failed (null when it did not).
     */
    public record SiteReport(String manifest, List<OriginKey> trustedKeys, OriginKey signedBy, int held, int listed,
                             Instant lastRead, Instant lastTried, String lastError) {}

    private Seeder(Builder settings, ContentStore store, Node node, SeederNode seeder, List<FirstReading> readFirst) {
        this.readFirst = readFirst;
        this.settings = settings;
        this.store = store;
        this.node = node;
        this.seeder = seeder;
        this.refreshes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "manifest-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /** A seeder of the store in {@code storeDir}, for the signaling server at {@code server}. */
    public static Builder builder(URI server, Path storeDir) {
        return new Builder(server, storeDir);
    }

    public Node node() {
        return node;
    }

    /** The seeding role on the node (what it holds, announces, serves and fetches again). */
    public SeederNode seeder() {
        return seeder;
    }

    public ContentStore store() {
        return store;
    }

    public SwarmEvents events() {
        return node.events();
    }

    /** Its id at the signaling server, or null while it has none. */
    public String peerId() {
        return node.peerId();
    }

    /** What the last good reading of each manifest did, by source (files and URLs, then those given whole). */
    public Map<String, SeederNode.SeedReport> reports() {
        synchronized (reports) {
            return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reports));
        }
    }

    /**
     * The node's fetching role for its user's own fetches: over the seeder's connection, links
     * and id, within its store's staging area, from origins where its settings allow.
     */
    public Fetcher fetcher() {
        Fetcher f = fetcher;
        if (f == null) {
            synchronized (this) {
                if (fetcher == null) {
                    Fetcher made = new Fetcher(node, store.stagingDirectory(), Fetcher.Options.defaults());
                    made.setOriginAddresses(settings.originAddresses);
                    fetcher = made;
                }
                f = fetcher;
            }
        }
        return f;
    }

    /**
     * Reads every manifest given as a file or URL again, now: a manifest that lists new
     * resources has them fetched, stored and announced; resources that left it are no longer
     * announced (kept in the store until evicted). A manifest that cannot be loaded, or whose
     * signature does not verify, keeps its last good reading, and a {@link SwarmEvent.ManifestRead}
     * with its failure says so. Returns what each reading did (the failed ones are absent).
     */
    public Map<String, SeederNode.SeedReport> refreshManifests() {
        synchronized (refreshing) {
            return readManifestsAgain();
        }
    }

    private Map<String, SeederNode.SeedReport> readManifestsAgain() {
        Map<String, SeederNode.SeedReport> done = new LinkedHashMap<>();
        List<String> sources;
        synchronized (sites) {
            sources = List.copyOf(sites.keySet());
        }
        for (String source : sources) {
            SiteState kept = sites.get(source);
            Manifest.Signed read;
            try {
                read = Manifest.loadSigned(source, kept.trustedKeys(), settings.originAddresses);
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                log.warn("manifest {} could not be read again ({}); keeping the last good one", source, why);
                sites.put(source, new SiteState(kept.trustedKeys(), kept.manifest(), kept.signedBy(), kept.readAt(),
                        Instant.now(), why));
                events().publish(new SwarmEvent.ManifestRead(Instant.now(), node.name(), source, listed(kept), 0, 0, why));
                continue;
            }
            Instant now = Instant.now();
            sites.put(source, new SiteState(kept.trustedKeys(), read.manifest(), read.signedBy(), now, now, null));
            SeederNode.SeedReport report = seeder.seed(source, read.manifest());
            reports.put(source, report);
            done.put(source, report);
        }
        return done;
    }

    /**
     * Starts seeding a site while running: reads its manifest (an http(s) URL or a file), which
     * must be signed by one of {@code trustedKeys} (none: taken unsigned, with a warning), fetches
     * and verifies what the store lacks, announces it, and reads it again with the others from
     * then on. Returns what the first reading did. Throws, adding nothing, when the manifest
     * cannot be read or verified; {@link IllegalArgumentException} when the site is seeded already.
     */
    public SeederNode.SeedReport addSite(String manifest, List<OriginKey> trustedKeys) throws IOException {
        synchronized (refreshing) {
            if (sites.containsKey(manifest)) {
                throw new IllegalArgumentException("the site " + manifest + " is seeded already");
            }
            Manifest.Signed read = Manifest.loadSigned(manifest, trustedKeys, settings.originAddresses);
            if (trustedKeys.isEmpty()) {
                settings.warnings.accept(new Warning.UnsignedManifest(manifest));
            }
            Instant now = Instant.now();
            sites.put(manifest, new SiteState(List.copyOf(trustedKeys), read.manifest(), read.signedBy(), now, now, null));
            SeederNode.SeedReport report = seeder.seed(manifest, read.manifest());
            reports.put(manifest, report);
            scheduleRefreshes();
            return report;
        }
    }

    /**
     * Stops seeding a site while running: what its manifest listed (and no other lists) is no
     * longer announced nor fetched again, and kept in the store until evicted, as a resource that
     * left a manifest. Returns false when the site was not seeded.
     */
    public boolean removeSite(String manifest) {
        synchronized (refreshing) {
            if (sites.remove(manifest) == null) {
                return false;
            }
            reports.remove(manifest);
            seeder.forget(manifest);
            return true;
        }
    }

    /** The sites seeded, in the order they were added, as the Sites view shows them. */
    public List<SiteReport> siteReports() {
        List<Map.Entry<String, SiteState>> all;
        synchronized (sites) {
            all = List.copyOf(sites.entrySet());
        }
        List<SiteReport> out = new ArrayList<>();
        for (Map.Entry<String, SiteState> e : all) {
            SiteState s = e.getValue();
            int held = s.manifest() == null ? 0
                    : (int) s.manifest().resources().stream().filter(r -> store.contains(r.id())).count();
            out.add(new SiteReport(e.getKey(), s.trustedKeys(), s.signedBy(), held, listed(s), s.readAt(), s.triedAt(),
                    s.failure()));
        }
        return out;
    }

    /** The site whose manifest lists each resource (the first added, when several do), for the Store view. */
    public Map<io.swarmkeeper.content.ResourceId, String> siteOfEachResource() {
        List<Map.Entry<String, SiteState>> all;
        synchronized (sites) {
            all = List.copyOf(sites.entrySet());
        }
        Map<io.swarmkeeper.content.ResourceId, String> index = new java.util.HashMap<>();
        for (Map.Entry<String, SiteState> e : all) {
            if (e.getValue().manifest() != null) {
                e.getValue().manifest().resources().forEach(r -> index.putIfAbsent(r.id(), e.getKey()));
            }
        }
        return index;
    }

    /** How many resources the site's last good reading listed; 0 while it was never read well. */
    private static int listed(SiteState site) {
        return site.manifest() == null ? 0 : site.manifest().resources().size();
    }

    /** Caps the bytes per second uploaded to all peers together, at once; 0 removes the cap. */
    public void setUploadRate(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("the upload rate must be 0 (no cap) or more, got " + bytesPerSecond);
        }
        seeder.setUploadRate(bytesPerSecond);
    }

    /** The upload cap in bytes per second; 0: none. */
    public long uploadRate() {
        return seeder.uploadRate();
    }

    /** How many uploads run at once, from the next upload on (running ones finish). */
    public void setUploadSlots(int slots) {
        seeder.setUploadSlots(slots);
    }

    public int uploadSlots() {
        return seeder.uploadSlots();
    }

    /** Reads the sites again on the refresh schedule, once; none when the interval is zero. Holding {@code refreshing}. */
    private void scheduleRefreshes() {
        Duration every = settings.manifestRefresh;
        if (refreshScheduled || every.isZero()) {
            return;
        }
        refreshScheduled = true;
        refreshes.scheduleWithFixedDelay(() -> {
            try {
                refreshManifests();
            } catch (RuntimeException e) {
                log.warn("refreshing the manifests failed: {}", e.toString());
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops refreshing, closes the node (saying bye to the server) and the seeding role, then the store. */
    @Override
    public void close() {
        refreshes.shutdownNow();
        try {
            node.close(); // first: bye to the server, no new links or requests
        } finally {
            try {
                seeder.close();
            } finally {
                store.close();
            }
        }
    }

    /**
     * Seeds the manifests as first read (fetching what the store lacks, announcing it), then reads
     * those from files or URLs again on the refresh schedule; returns what each did. Once only,
     * after {@link Builder#open}. A signal to stop may come meanwhile: {@link #close} may run
     * while this fetches, and this then ends with what it did.
     */
    public Map<String, SeederNode.SeedReport> seedManifests() {
        List<FirstReading> first;
        synchronized (refreshing) {
            first = readFirst;
            readFirst = null;
            if (first == null) {
                throw new IllegalStateException("the manifests are seeded once, at start");
            }
            int i = 0;
            for (Map.Entry<String, List<OriginKey>> source : settings.manifestSources.entrySet()) {
                FirstReading reading = first.get(i++);
                Instant now = Instant.now();
                List<OriginKey> keys = settings.keysOf(source.getKey());
                if (reading.read() == null) { // kept to be read again: Builder.keepUnreadableSites
                    sites.put(source.getKey(), new SiteState(keys, null, null, null, now, reading.failure()));
                    events().publish(new SwarmEvent.ManifestRead(now, node.name(), source.getKey(), 0, 0, 0, reading.failure()));
                    continue;
                }
                Manifest.Signed read = reading.read();
                sites.put(source.getKey(), new SiteState(keys, read.manifest(), read.signedBy(), now, now, null));
                reports.put(source.getKey(), seeder.seed(source.getKey(), read.manifest()));
            }
            if (!settings.manifestSources.isEmpty()) {
                scheduleRefreshes();
            }
        }
        for (Map.Entry<String, Manifest> given : settings.givenManifests.entrySet()) {
            reports.put(given.getKey(), seeder.seed(given.getKey(), given.getValue()));
        }
        return reports();
    }

    /** The settings of a seeder; {@link #start} assembles and starts it. Not thread-safe. */
    public static final class Builder {
        private final URI server;
        private final Path storeDir;
        private SwarmEvents events;
        private String label;
        private boolean logEvents;
        private int uploadSlots = 4;
        private long quota;
        private long uploadRate;
        private long scrubRate;
        /** Manifests by source, each with the keys it must be signed by (null: {@link #trustedKeys}). */
        private final Map<String, List<OriginKey>> manifestSources = new LinkedHashMap<>();
        private final Map<String, Manifest> givenManifests = new LinkedHashMap<>();
        private List<OriginKey> trustedKeys = List.of();
        private List<String> demandOrigins = List.of();
        private AddressPolicy originAddresses = AddressPolicy.PUBLIC_ONLY;
        private String serverToken;
        private Duration manifestRefresh = Duration.ZERO;
        private Function<ContentStore, ContentSource> serving = store -> store;
        private UnaryOperator<MessageSink> wire = UnaryOperator.identity();
        private Consumer<Warning> warnings = w -> log.warn("{}", w);
        private LinkLimits linkLimits;
        private boolean keepUnreadableSites;

        private Builder(URI server, Path storeDir) {
            this.server = server;
            this.storeDir = storeDir;
        }

        /** Where the node publishes its events (default: a stream of its own). */
        public Builder events(SwarmEvents events) {
            this.events = events;
            return this;
        }

        /** How the node is named in events until the server gives it an id (default "node-N"). */
        public Builder label(String label) {
            this.label = label;
            return this;
        }

        /** Logs every event as a line ({@link EventLog}): for a headless seeder. */
        public Builder logEvents(boolean on) {
            this.logEvents = on;
            return this;
        }

        /** Uploads at once, 1..{@value SeederConfig#MAX_UPLOAD_SLOTS} (default 4). */
        public Builder uploadSlots(int slots) {
            new SeederConfig(server, storeDir, slots); // says what is wrong
            this.uploadSlots = slots;
            return this;
        }

        /** Most bytes the store keeps (least recently used, unpinned resources go first); 0: no limit (default). */
        public Builder quota(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("the quota must be 0 (no limit) or more, got " + bytes);
            }
            this.quota = bytes;
            return this;
        }

        /** Most bytes per second uploaded to all peers together; 0: no cap (default). */
        public Builder uploadRate(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("the upload rate must be 0 (no cap) or more, got " + bytesPerSecond);
            }
            this.uploadRate = bytesPerSecond;
            return this;
        }

        /** Bytes per second the background scrub re-hashes; 0: no scrub (default). */
        public Builder scrubRate(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("the scrub rate must be 0 (off) or more, got " + bytesPerSecond);
            }
            this.scrubRate = bytesPerSecond;
            return this;
        }

        /** A manifest to seed, a file or an http(s) URL; read at start and again on the refresh schedule. Repeatable. */
        public Builder manifest(String fileOrUrl) {
            manifestSources.put(fileOrUrl, null);
            return this;
        }

        /**
         * A site: its manifest (a file or an http(s) URL), which must be signed by one of
         * {@code keys} (none: taken unsigned), whatever {@link #trustedKeys} says. Repeatable.
         */
        public Builder site(String fileOrUrl, List<OriginKey> keys) {
            manifestSources.put(fileOrUrl, List.copyOf(keys));
            return this;
        }

        /** The keys the manifest from {@code source} must be signed by. */
        private List<OriginKey> keysOf(String source) {
            List<OriginKey> own = manifestSources.get(source);
            return own == null ? trustedKeys : own;
        }

        /** A manifest given whole (not read from anywhere), seeded at start under the name {@code source}. */
        public Builder manifest(String source, Manifest manifest) {
            givenManifests.put(source, manifest);
            return this;
        }

        /** Keys a manifest must be signed by (its {@code .sig}); none (default): manifests are taken unsigned. */
        public Builder trustedKeys(List<OriginKey> keys) {
            this.trustedKeys = List.copyOf(keys);
            return this;
        }

        /** Prefixes of the origins the seeder takes demand from; none (default): no demand is taken. */
        public Builder demandOrigins(List<String> prefixes) {
            this.demandOrigins = List.copyOf(prefixes);
            return this;
        }

        /** Where origins may be (manifests, their resources, demands, redirects); default public addresses only. */
        public Builder originAddresses(AddressPolicy addresses) {
            this.originAddresses = addresses;
            return this;
        }

        /** The token for a signaling server that admits peers only with one; null (default): none. */
        public Builder serverToken(String token) {
            this.serverToken = token;
            return this;
        }

        /** How often the manifests read from files or URLs are read again; zero (default): only when asked. */
        public Builder manifestRefresh(Duration every) {
            if (every.isNegative()) {
                throw new IllegalArgumentException("the manifest refresh interval must not be negative, got " + every);
            }
            this.manifestRefresh = every;
            return this;
        }

        /** What the seeder serves from, given its store (default: the store itself); the demo's liar lies here. */
        public Builder serving(Function<ContentStore, ContentSource> serving) {
            this.serving = serving;
            return this;
        }

        /** Where its transfer messages pass on their way to each link (tests break the protocol here). */
        public Builder wire(UnaryOperator<MessageSink> wire) {
            this.wire = wire;
            return this;
        }

        /** How many links peers may make to it (default {@link LinkLimits#holder()}). */
        public Builder linkLimits(LinkLimits limits) {
            this.linkLimits = limits;
            return this;
        }

        /**
         * Keeps a site whose manifest cannot be read at start, with its failure in
         * {@link Seeder#siteReports}, to be read again on the refresh schedule or when asked,
         * instead of failing the start: for the window, where one site that is down must not stop
         * the others. Off by default ({@code seed} refuses to start on a bad manifest).
         */
        public Builder keepUnreadableSites(boolean keep) {
            this.keepUnreadableSites = keep;
            return this;
        }

        /** Who hears the warnings (default: the log). */
        public Builder warnings(Consumer<Warning> warnings) {
            this.warnings = warnings;
            return this;
        }

        /**
         * {@link #open}, then {@link Seeder#seedManifests}: returns once the manifests' resources
         * were fetched (or failed to be).
         */
        public Seeder start() throws IOException {
            Seeder seeder = open();
            try {
                seeder.seedManifests();
            } catch (RuntimeException e) {
                seeder.close();
                throw e;
            }
            return seeder;
        }

        /**
         * Reads the manifests while it opens the store within the quota (with its scrub) and
         * connects to the signaling server as a seeder (announcing what the store holds), so that
         * the seeder is reachable as soon as it can be; {@link Seeder#seedManifests} then seeds
         * them. Fails, leaving nothing open, when a manifest cannot be read (unless
         * {@link #keepUnreadableSites}), the store cannot be opened, or the signaling server cannot
         * be reached.
         */
        public Seeder open() throws IOException {
            CompletableFuture<List<FirstReading>> reading = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    reading.complete(readManifests());
                } catch (IOException | RuntimeException e) {
                    reading.completeExceptionally(e);
                }
            }, "manifest-read");
            reader.setDaemon(true);
            reader.start();
            // The protocol's (de)serialisers are built on the other core while the store opens.
            Thread codec = new Thread(MessageCodec::prepare, "codec-prepare");
            codec.setDaemon(true);
            codec.start();
            Seeder seeder;
            try {
                seeder = openAndConnect();
            } catch (IOException | RuntimeException e) {
                // A manifest that cannot be used says more than a server that cannot be reached.
                try {
                    reading.join();
                } catch (CompletionException bad) {
                    bad.getCause().addSuppressed(e);
                    if (bad.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (bad.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                }
                throw e;
            }
            try {
                List<FirstReading> first = reading.join();
                synchronized (seeder.refreshing) {
                    seeder.readFirst = first;
                }
            } catch (CompletionException e) {
                seeder.close();
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            return seeder;
        }

        /** Reads every manifest as {@link #open} says, each with its keys. */
        private List<FirstReading> readManifests() throws IOException {
            List<FirstReading> readFirst = new ArrayList<>();
            for (String source : manifestSources.keySet()) {
                try {
                    readFirst.add(new FirstReading(Manifest.loadSigned(source, keysOf(source), originAddresses), null));
                } catch (IOException | RuntimeException e) {
                    if (!keepUnreadableSites) {
                        throw e;
                    }
                    String why = e.getMessage() == null ? e.toString() : e.getMessage();
                    log.warn("manifest {} could not be read ({}); read again on the schedule or when asked", source, why);
                    readFirst.add(new FirstReading(null, why));
                }
                if (keysOf(source).isEmpty()) {
                    warnings.accept(new Warning.UnsignedManifest(source));
                }
            }
            return readFirst;
        }

        /** Opens the store, the node and its seeding role, and connects; closes what it opened when it fails. */
        private Seeder openAndConnect() throws IOException {
            SeederConfig config = new SeederConfig(server, storeDir, uploadSlots);
            ContentStore store = ContentStore.open(storeDir, quota);
            Seeder seeder;
            Node node = null;
            try {
                if (store.quota() < quota) {
                    warnings.accept(new Warning.QuotaCapped(storeDir, quota, store.quota()));
                }
                if (scrubRate > 0) {
                    store.startScrubbing(scrubRate);
                }
                SwarmEvents bus = events == null ? new SwarmEvents() : events;
                if (logEvents) {
                    bus.subscribe(new EventLog());
                }
                node = Node.persistent(server, PeerRole.SEEDER, label, bus);
                node.setServerToken(serverToken);
                SeederNode role = new SeederNode(node, config, store, serving.apply(store), wire);
                role.setUploadRate(uploadRate);
                role.setOriginAddresses(originAddresses);
                role.acceptDemandFrom(demandOrigins);
                if (linkLimits != null) {
                    role.setLinkLimits(linkLimits);
                }
                seeder = new Seeder(this, store, node, role, null);
            } catch (RuntimeException e) {
                if (node != null) {
                    node.close();
                }
                store.close();
                throw e;
            }
            try {
                seeder.seeder.start();
            } catch (IOException | RuntimeException e) {
                seeder.close();
                throw e;
            }
            return seeder;
        }
    }
}
