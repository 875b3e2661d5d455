package io.swarmkeeper.node;

import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.origin.OriginClient;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.store.StoreListener;
import io.swarmkeeper.store.StoredResource;
import io.swarmkeeper.transfer.ContentSource;
import io.swarmkeeper.transfer.MessageSink;
import io.swarmkeeper.transfer.RateLimiter;
import io.swarmkeeper.transfer.TransferProtocolException;
import io.swarmkeeper.transfer.TransferServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seeder's role on its {@link Node}: fills its store from the origins its manifests name
 * (verified), announces what it holds to the signaling server, serves it to every peer that
 * links to it, fetches again what its store lost, and takes what the swarm demands. Its fetches
 * go through the node's own fetching role, so the seeder is one peer with one id. Core only:
 * {@link Seeder} assembles it with its store and settings for the CLI, the GUI and the demo.
 */
public final class SeederNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SeederNode.class);

    /**
     * What a manifest run did: resources fetched and stored, already held, and why others were
     * not; {@code listed}: how many the manifest lists; {@code added}, {@code removed}: how many
     * joined and left its source's listing since the last run for that source.
     */
    public record SeedReport(int stored, int alreadyHeld, List<String> failures, int listed, int added, int removed) {}

    private final SeederConfig config;
    private final Node node;
    /** True when this seeder made its node, and closes it. */
    private final boolean ownsNode;
    private final UnaryOperator<MessageSink> wire;
    private final ContentStore store;
    private final ContentSource serving;
    private final SwarmEvents events;
    /** Where origins may be: public addresses unless the operator allowed private ones. */
    private volatile AddressPolicy originAddresses = AddressPolicy.PUBLIC_ONLY;
    private volatile OriginClient origin;
    private final ThreadPoolExecutor uploads;
    private final RateLimiter uploadRate = RateLimiter.unlimited();
    /** None by default: a demand names an origin a stranger chose, so only the operator's prefixes are taken. */
    private volatile List<String> demandOrigins = List.of();
    /** Sizes the manifests gave, so that a demand for one of their resources holds its origin to it. */
    private final Map<ResourceId, Long> manifestSizes = new ConcurrentHashMap<>();
    /** Largest resource taken on demand: demand comes from strangers, the quota is the owner's. */
    static final long DEMAND_MAX_BYTES = 256L * 1024 * 1024;
    static final long DEMAND_RETRY_NANOS = 3_600_000_000_000L;
    /** Demanded resources that failed lately, so that a bogus demand costs one attempt an hour. */
    private final Map<ResourceId, Long> demandFailures = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ResourceId, Long> eldest) {
            return size() > 4096;
        }
    };
    /** Fetches demanded resources as a peer of the swarm; made on the first demand. */
    private Fetcher demandFetcher;
    private final Set<ResourceId> demandsInFlight = ConcurrentHashMap.newKeySet();
    static final int MAX_WAITING_DEMANDS = 64;
    /** Demanded resources are fetched one at a time, behind the seeder's own manifest work. */
    private final ThreadPoolExecutor demandFetches = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING_DEMANDS), r -> {
                Thread t = new Thread(r, "demand-fetch");
                t.setDaemon(true);
                return t;
            });
    /** What the manifests given to {@link #seed} list: kept in the store, fetched again when lost. */
    private final Map<ResourceId, URI> manifestResources = new ConcurrentHashMap<>();
    /** What each manifest source lists since its last reading ({@link #seed(String, Manifest)}). Guarded by itself. */
    private final Map<String, Set<ResourceId>> listings = new java.util.HashMap<>();
    /** Resources that left every manifest listing them: kept until evicted, no longer announced. */
    private final Set<ResourceId> withdrawn = ConcurrentHashMap.newKeySet();
    /** Manifest resources the store lacks, by the number of tries to fetch them so far. */
    private final Map<ResourceId, Integer> refetches = new ConcurrentHashMap<>();
    /** First wait before fetching again what the store lost; it doubles after each failure up to the cap. */
    static final Duration REFETCH_FIRST_WAIT = Duration.ofSeconds(5);
    static final Duration REFETCH_MAX_WAIT = Duration.ofHours(1);
    private volatile Duration refetchFirstWait = REFETCH_FIRST_WAIT;
    private volatile Duration refetchMaxWait = REFETCH_MAX_WAIT;
    /** Lost resources are fetched one at a time, when their wait is over. */
    private final java.util.concurrent.ScheduledThreadPoolExecutor refetchRuns =
            new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "refetch");
                t.setDaemon(true);
                return t;
            });
    /** Fetches lost manifest resources as a peer of the swarm; made on the first loss. */
    private Fetcher refetchFetcher;
    private final Map<PeerLink, TransferServer> servers = new ConcurrentHashMap<>();
    private final PeerLinks links;

    /** A seeder serving what its store holds, as a node of its own. */
    public SeederNode(SeederConfig config, ContentStore store, SwarmEvents events) {
        this(config, store, store, events);
    }

    /** A seeder serving from {@code serving}, as a node of its own; tests use this to make a seeder that lies. */
    public SeederNode(SeederConfig config, ContentStore store, ContentSource serving, SwarmEvents events) {
        this(config, store, serving, events, UnaryOperator.identity());
    }

    /**
     * A seeder, as a node of its own, whose transfer messages reach each link through
     * {@code wire}; tests put a peer that breaks the transfer protocol there.
     */
    public SeederNode(SeederConfig config, ContentStore store, ContentSource serving, SwarmEvents events,
                      UnaryOperator<MessageSink> wire) {
        this(Node.persistent(config.server(), PeerRole.SEEDER, null, events), true, config, store, serving, wire);
    }

    /**
     * The seeding role of {@code node} (which must say hello as a seeder and stay connected:
     * {@link Node#persistent}); closing the seeder leaves the node open.
     */
    public SeederNode(Node node, SeederConfig config, ContentStore store, ContentSource serving,
                      UnaryOperator<MessageSink> wire) {
        this(node, false, config, store, serving, wire);
    }

    private SeederNode(Node node, boolean ownsNode, SeederConfig config, ContentStore store, ContentSource serving,
                       UnaryOperator<MessageSink> wire) {
        if (node.role() != PeerRole.SEEDER) {
            throw new IllegalArgumentException("a seeder's node says hello as a seeder, not as " + node.role().wireName());
        }
        this.node = node;
        this.ownsNode = ownsNode;
        this.wire = wire;
        this.config = config;
        this.store = store;
        this.serving = serving;
        this.events = node.events();
        this.origin = OriginClient.withDefaults(originAddresses);
        AtomicInteger n = new AtomicInteger();
        // No queue: a request that finds every slot taken is answered BUSY at once and asks
        // another holder, rather than waiting silently and looking stalled to its requester.
        this.uploads = new ThreadPoolExecutor(config.uploadSlots(), config.uploadSlots(), 30, TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "upload-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.links = node.links();
        links.serveWith(new Serving());
        node.onWelcome(this::onWelcome);
        node.onDemand(this::onDemand);
        store.addListener(new KeepAnnouncementsTrue());
    }

    /**
     * What leaves the store (evicted, corrupt, removed) is no longer ours to offer: say so. What
     * the disk damaged or lost and a manifest lists is fetched again; what was evicted or removed
     * on purpose is not.
     */
    private final class KeepAnnouncementsTrue implements StoreListener {
        @Override
        public void added(StoredResource resource) {
            // announced by whoever stored it, in batches
        }

        @Override
        public void removed(StoredResource resource, Removal why) {
            node.send(new Message.Lost(List.of(resource.id().text())));
            withdrawn.remove(resource.id()); // gone: nothing left to withhold
            String reason = why.name().toLowerCase(java.util.Locale.ROOT);
            events.publish(new SwarmEvent.Dropped(Instant.now(), node.name(), resource.id(), resource.size(), reason));
            if (why == Removal.CORRUPT || why == Removal.MISSING) {
                scheduleRefetch(resource.id(), reason);
            }
        }

        @Override
        public void diskSpace(boolean full, String detail) {
            events.publish(new SwarmEvent.DiskSpace(Instant.now(), node.name(), full, detail));
            if (!full) {
                // What waited for room is fetched now, not after its back-off.
                for (var waiting : refetches.entrySet()) {
                    refetchSoon(waiting.getKey(), waiting.getValue());
                }
            }
        }
    }

    public SwarmEvents events() {
        return events;
    }

    public ContentStore store() {
        return store;
    }

    /** The node this seeder is the seeding role of. */
    public Node node() {
        return node;
    }

    /** Our id at the signaling server, or null before {@link #start()}. */
    public String peerId() {
        return node.peerId();
    }

    /**
     * Connects to the signaling server and announces everything already in the store. A lost
     * connection is retried with back-off; every new welcome re-announces the store.
     */
    public SeederNode start() throws IOException {
        node.connect();
        return this;
    }

    /** A welcome, first or after a reconnect: say what we hold (what left every manifest excepted). */
    private void onWelcome(SignalingClient client, Message.Welcome welcome) {
        try {
            List<StoredResource> held = store.list().stream().filter(r -> !withdrawn.contains(r.id())).toList();
            // Through the client just welcomed: on the first connection the node's field is not set yet.
            announce(client, held.stream().map(StoredResource::id).toList());
            for (StoredResource r : held) {
                events.publish(new SwarmEvent.Holding(Instant.now(), node.name(), r.id(), r.size()));
            }
        } catch (IOException e) {
            log.error("cannot list the store to announce it: {}", e.getMessage());
        }
    }

    /**
     * Fetches every manifest resource the store lacks from its origin, verifies it, stores it and
     * announces it. A resource whose bytes do not match is logged with both hashes and skipped.
     * Adds to what earlier manifests listed, whatever their source: see {@link #seed(String, Manifest)}
     * for a manifest read again.
     */
    public SeedReport seed(Manifest manifest) {
        synchronized (listings) { // listed for good: another source that drops them does not withdraw them
            Set<ResourceId> all = new java.util.HashSet<>(listings.getOrDefault(ANONYMOUS, Set.of()));
            manifest.resources().forEach(e -> all.add(e.id()));
            listings.put(ANONYMOUS, all);
        }
        return fetchAll(manifest, null, manifest.resources().size(), 0);
    }

    /** The listing of manifests given without a source: it only grows. */
    private static final String ANONYMOUS = "";

    /**
     * Seeds {@code manifest} as the current reading of {@code source} (its file or URL): as
     * {@link #seed(Manifest)}, and what the source's previous reading listed and this one does not
     * (nor any other source) is withdrawn: no longer announced ({@code lost} to the server), no
     * longer fetched again when lost, but kept in the store, and served to whoever asks, until it
     * is evicted. Says what changed in a {@link SwarmEvent.ManifestRead} before fetching what is new.
     * Only what joined the source's listing is fetched and announced: what it listed before is
     * held, or fetched again on its own schedule when the store lost it, or was evicted on purpose
     * (a reading every few minutes must neither hammer a bad origin nor undo the quota).
     */
    public SeedReport seed(String source, Manifest manifest) {
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("a manifest read again is named by its source");
        }
        Set<ResourceId> now = new java.util.LinkedHashSet<>();
        manifest.resources().forEach(e -> now.add(e.id()));
        List<ResourceId> left;
        Set<ResourceId> joined = new java.util.HashSet<>();
        synchronized (listings) {
            Set<ResourceId> before = listings.getOrDefault(source, Set.of());
            listings.put(source, Set.copyOf(now));
            now.stream().filter(id -> !before.contains(id)).forEach(joined::add);
            left = leftEveryListing(before);
        }
        events.publish(new SwarmEvent.ManifestRead(Instant.now(), node.name(), source, now.size(), joined.size(),
                left.size(), null));
        withdraw(left, "it left the manifest " + source);
        return fetchAll(manifest, joined, joined.size(), left.size());
    }

    /**
     * Stops seeding {@code source}'s manifest (a site the user removed): what it listed and no
     * other manifest lists is withdrawn, as when it leaves a manifest ({@link #seed(String, Manifest)}):
     * no longer announced nor fetched again, kept in the store until evicted. Returns how many
     * resources were withdrawn; 0 when the source was not seeded.
     */
    public int forget(String source) {
        List<ResourceId> left;
        synchronized (listings) {
            Set<ResourceId> before = listings.remove(source);
            if (before == null) {
                return 0;
            }
            left = leftEveryListing(before);
        }
        events.publish(new SwarmEvent.ManifestRead(Instant.now(), node.name(), source, 0, 0, left.size(), null));
        withdraw(left, "its site " + source + " was removed");
        return left.size();
    }

    /** Of {@code before}, what no listing holds any more; no longer fetched again. Called holding {@code listings}. */
    private List<ResourceId> leftEveryListing(Set<ResourceId> before) {
        List<ResourceId> left = new ArrayList<>();
        for (ResourceId id : before) {
            if (listings.values().stream().noneMatch(l -> l.contains(id))) {
                left.add(id);
            }
        }
        for (ResourceId id : left) {
            manifestResources.remove(id);
            manifestSizes.remove(id);
            refetches.remove(id);
        }
        return left;
    }

    /** Stops announcing what {@code ids} name and the store holds, keeping it stored. */
    private void withdraw(List<ResourceId> ids, String why) {
        List<String> lost = new ArrayList<>();
        for (ResourceId id : ids) {
            if (store.contains(id)) {
                withdrawn.add(id);
                lost.add(id.text());
                events.publish(new SwarmEvent.Withdrawn(Instant.now(), node.name(), id, why));
                log.info("no longer announcing {}: {} (kept until evicted)", id.shortForm(), why);
            }
        }
        SignalingClient s = node.signaling();
        int batch = s == null ? 500 : Math.min(500, s.maxHashesPerMessage());
        for (int i = 0; i < lost.size(); i += batch) {
            node.send(new Message.Lost(lost.subList(i, Math.min(lost.size(), i + batch))));
        }
    }

    /** Resources the seeder holds but no longer announces: they left every manifest that listed them. */
    public Set<ResourceId> withdrawn() {
        return Set.copyOf(withdrawn);
    }

    /** Fetches and announces the entries {@code only} names (null: all) that the store lacks. */
    private SeedReport fetchAll(Manifest manifest, Set<ResourceId> only, int added, int removed) {
        int stored = 0;
        int already = 0;
        List<String> failures = new ArrayList<>();
        List<ResourceId> held = new ArrayList<>();
        for (Manifest.Entry entry : manifest.resources()) {
            if (only != null && !only.contains(entry.id())) {
                manifestResources.put(entry.id(), entry.url()); // its URL may have moved
                if (entry.size() >= 0) {
                    manifestSizes.put(entry.id(), entry.size());
                }
                if (store.contains(entry.id())) {
                    already++;
                }
                continue;
            }
            if (entry.size() >= 0) {
                manifestSizes.put(entry.id(), entry.size());
            }
            manifestResources.put(entry.id(), entry.url());
            withdrawn.remove(entry.id()); // listed again: announced again
            try {
                if (store.contains(entry.id())) {
                    already++;
                    held.add(entry.id());
                    continue;
                }
                if (!store.hasRoom()) { // no download that could not be kept
                    failures.add(entry.url() + ": the store's disk is full");
                    scheduleRefetch(entry.id(), "the store's disk is full");
                    continue;
                }
                OriginClient.Fetched fetched = origin.fetch(entry.url(), entry.id(), entry.size(), store.stagingDirectory());
                try (InputStream in = fetched.file().open()) {
                    store.put(entry.id(), in, fetched.mediaType(), entry.url().toString());
                } finally {
                    fetched.file().close();
                }
                events.publish(new SwarmEvent.HashCheck(Instant.now(), node.name(), entry.id(), "origin", true,
                        entry.url().toString()));
                events.publish(new SwarmEvent.Holding(Instant.now(), node.name(), entry.id(), fetched.file().size()));
                announce(List.of(entry.id()));
                stored++;
                log.info("stored {} ({} bytes) from {}", entry.id().shortForm(), fetched.file().size(), entry.url());
            } catch (HashMismatchException e) {
                log.error("not stored: {} (expected {}, got {})", entry.url(), e.expected().text(), e.actual());
                events.publish(new SwarmEvent.HashCheck(Instant.now(), node.name(), entry.id(), "origin", false, e.getMessage()));
                failures.add(e.getMessage());
                scheduleRefetch(entry.id(), "its origin sent bytes that failed the hash");
            } catch (IOException | RuntimeException e) {
                log.error("not stored: {}: {}", entry.url(), e.getMessage());
                failures.add(entry.url() + ": " + e.getMessage());
                store.hasRoom(); // a download that ran out of disk puts the store in its disk-full state
                scheduleRefetch(entry.id(), String.valueOf(e.getMessage()));
            }
        }
        // Batched: one message per 500. Later puts may have evicted some of them; announce only what is still held.
        announce(held.stream().filter(store::contains).toList());
        return new SeedReport(stored, already, failures, manifest.resources().size(), added, removed);
    }

    /** Tells the signaling server we hold these resources. */
    public void announce(List<ResourceId> ids) {
        SignalingClient s = node.signaling();
        if (s != null) {
            announce(s, ids);
        }
    }

    private static void announce(SignalingClient client, List<ResourceId> ids) {
        final int batch = Math.min(500, client.maxHashesPerMessage()); // within the server's limit
        for (int i = 0; i < ids.size(); i += batch) {
            List<String> hashes = ids.subList(i, Math.min(ids.size(), i + batch)).stream().map(ResourceId::text).toList();
            client.send(new Message.Have(hashes));
        }
    }

    /**
     * Sets the wait before a lost manifest resource is fetched again ({@code first}), doubled
     * after each failed try up to {@code max}: a bad origin gets one try per {@code max} at most
     * per resource. Defaults: {@link #REFETCH_FIRST_WAIT}, {@link #REFETCH_MAX_WAIT}.
     */
    public void setRefetchWaits(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, got " + first + ", " + max);
        }
        refetchFirstWait = first;
        refetchMaxWait = max;
    }

    /** Fetches {@code id} again later, if a manifest lists it and it is not waiting already. */
    private void scheduleRefetch(ResourceId id, String why) {
        if (!manifestResources.containsKey(id) || refetchRuns.isShutdown()
                || refetches.putIfAbsent(id, 0) != null) {
            return;
        }
        planRefetch(id, why, 0);
    }

    /** Plans try {@code attempt} + 1 after a wait that doubles with each try (half of it random). */
    private void planRefetch(ResourceId id, String why, int attempt) {
        long ceiling = refetchMaxWait.toMillis();
        long first = refetchFirstWait.toMillis();
        if (attempt < 40 && first <= (ceiling >> attempt)) {
            ceiling = first << attempt;
        }
        long wait = ceiling / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        refetches.put(id, attempt);
        events.publish(new SwarmEvent.Refetching(Instant.now(), node.name(), id, why, attempt, Instant.now().plusMillis(wait)));
        try {
            refetchRuns.schedule(() -> refetch(id, attempt + 1), wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            refetches.remove(id); // closing
        }
    }

    /** Runs the next try for {@code id} now (its wait was for a disk that has room again). */
    private void refetchSoon(ResourceId id, int attempt) {
        try {
            refetchRuns.execute(() -> refetch(id, attempt + 1));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /** One try at getting a lost manifest resource back: from the peers that hold it, else its origin. */
    private void refetch(ResourceId id, int attempt) {
        Integer planned = refetches.get(id);
        if (planned == null || planned != attempt - 1) {
            return; // taken over by a try started sooner (room on the disk again)
        }
        URI url = manifestResources.get(id);
        if (url == null || store.contains(id)) {
            refetches.remove(id);
            return;
        }
        if (!store.hasRoom()) {
            return; // tried again as soon as the disk has room (KeepAnnouncementsTrue.diskSpace)
        }
        try {
            FetchResult got = refetchFetcher().fetch(id, url, manifestSizes.getOrDefault(id, -1L));
            try (InputStream in = got.file().open()) {
                store.put(id, in, got.mediaType(), url.toString());
            } finally {
                got.file().close();
            }
            refetches.remove(id);
            events.publish(new SwarmEvent.Holding(Instant.now(), node.name(), id, got.bytes()));
            announce(List.of(id));
            log.info("fetched {} again ({} bytes) from {}", id.shortForm(), got.bytes(), got.source());
        } catch (IOException | RuntimeException e) {
            if (refetchRuns.isShutdown() || !store.hasRoom()) {
                return; // a full disk: tried again as soon as it has room
            }
            planRefetch(id, String.valueOf(e.getMessage()), attempt);
        }
    }

    private synchronized Fetcher refetchFetcher() {
        if (refetchFetcher == null) {
            // The seeder's own fetching role: its id asks, over its connection and links.
            refetchFetcher = new Fetcher(node, store.stagingDirectory(), Fetcher.Options.defaults());
            refetchFetcher.setOriginAddresses(originAddresses);
        }
        return refetchFetcher;
    }

    /** Manifest resources the store lacks and that wait to be fetched again. */
    public Set<ResourceId> awaitingRefetch() {
        return Set.copyOf(refetches.keySet());
    }

    /**
     * Takes demands (resources wanted and poorly held) whose origin URL starts with one of
     * {@code prefixes} (e.g. {@code https://example.com/static/}); none (the default): demands
     * are ignored. Anyone may connect as a seeder and any asker may name an origin, so a demand
     * is a stranger's suggestion: only the operator's own prefixes turn it into a fetch.
     */
    public void acceptDemandFrom(List<String> prefixes) {
        demandOrigins = List.copyOf(prefixes);
    }

    /**
     * The token this seeder presents to a signaling server with {@code --peer-token}s (set before
     * {@link #start}); null: none.
     */
    public void setServerToken(String token) {
        node.setServerToken(token);
    }

    /**
     * Where origins may be, for manifest resources and demands alike (and their redirects):
     * {@link AddressPolicy#PUBLIC_ONLY} until the operator allows private addresses.
     */
    public void setOriginAddresses(AddressPolicy addresses) {
        originAddresses = addresses;
        origin = OriginClient.withDefaults(addresses);
        synchronized (this) {
            if (demandFetcher != null) {
                demandFetcher.setOriginAddresses(addresses);
            }
            if (refetchFetcher != null) {
                refetchFetcher.setOriginAddresses(addresses);
            }
        }
    }

    private void onDemand(Message.Demand demand) {
        ResourceId id;
        URI url;
        try {
            id = ResourceId.parse(demand.hash());
            url = URI.create(demand.origin());
        } catch (IllegalArgumentException e) {
            log.debug("ignoring a malformed demand: {}", e.getMessage());
            return;
        }
        if (demandOrigins.stream().noneMatch(prefix -> isUnder(url, prefix))) {
            log.debug("ignoring demand for {} from {}: not an accepted origin", id.shortForm(), demand.origin());
            return;
        }
        if (store.contains(id)) {
            withdrawn.remove(id); // the operator takes demand from its origin: wanted again
            announce(List.of(id)); // the server thought otherwise: say so again
            return;
        }
        if (!store.hasRoom()) {
            log.info("not taking {} on demand: the store's disk is full", id.shortForm());
            return;
        }
        Long failedAt;
        synchronized (demandFailures) {
            failedAt = demandFailures.get(id);
        }
        if (failedAt != null && System.nanoTime() - failedAt < DEMAND_RETRY_NANOS) {
            return; // it failed lately (wrong bytes, too large, unreachable): not again so soon
        }
        if (!demandsInFlight.add(id)) {
            return;
        }
        try {
            demandFetches.execute(() -> {
                try {
                    pickUp(id, url, demand);
                } finally {
                    demandsInFlight.remove(id);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            demandsInFlight.remove(id);
            log.debug("demand for {} dropped: {} already waiting", id.shortForm(), MAX_WAITING_DEMANDS);
        }
    }

    /**
     * Gets a demanded resource from the peers that hold it (sparing the website), else from its
     * origin, verified either way, then stores and announces it.
     */
    private void pickUp(ResourceId id, URI url, Message.Demand demand) {
        try {
            Fetcher fetcher = demandFetcher();
            FetchResult got = fetcher.fetch(id, url, manifestSizes.getOrDefault(id, -1L));
            try (InputStream in = got.file().open()) {
                store.put(id, in, got.mediaType(), url.toString());
            } finally {
                got.file().close();
            }
            withdrawn.remove(id);
            events.publish(new SwarmEvent.Holding(Instant.now(), node.name(), id, got.bytes()));
            announce(List.of(id));
            log.info("picked up {} on demand ({} wants, {} holders) from {}", id.shortForm(), demand.wants(),
                    demand.holders(), got.source());
        } catch (IOException | RuntimeException e) {
            if (store.hasRoom()) { // a full disk (seen now, maybe by this download) is no fault of the demand
                synchronized (demandFailures) {
                    demandFailures.put(id, System.nanoTime());
                }
            }
            log.warn("could not pick up {} on demand: {}", id.shortForm(), e.getMessage());
        }
    }

    private synchronized Fetcher demandFetcher() {
        if (demandFetcher == null) {
            // The seeder's own fetching role, with the demand's cap: its id asks, over its connection and links.
            demandFetcher = new Fetcher(node, store.stagingDirectory(),
                    new Fetcher.Options(Duration.ofSeconds(10), Duration.ofSeconds(20), DEMAND_MAX_BYTES, 4));
            // A demanded origin may redirect, but only within what this seeder accepts demand from.
            demandFetcher.restrictOriginRedirects(uri -> demandOrigins.stream().anyMatch(prefix -> isUnder(uri, prefix)));
            demandFetcher.setOriginAddresses(originAddresses);
        }
        return demandFetcher;
    }

    /**
     * True when {@code url} is at or below {@code prefix}: same scheme, host and port, and a path
     * that starts with the prefix's (so {@code https://site.example} does not cover
     * {@code https://site.example.evil.org/}).
     */
    static boolean isUnder(URI url, String prefix) {
        URI p;
        try {
            p = new URI(prefix);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (url.getScheme() == null || p.getScheme() == null || url.getHost() == null || p.getHost() == null
                || !url.getScheme().equalsIgnoreCase(p.getScheme()) || !url.getHost().equalsIgnoreCase(p.getHost())
                || port(url) != port(p)) {
            return false;
        }
        URI normal = url.normalize();
        String path = normal.getPath() == null || normal.getPath().isEmpty() ? "/" : normal.getPath();
        String prefixPath = p.getPath() == null || p.getPath().isEmpty() ? "/" : p.getPath();
        return path.startsWith(prefixPath) && !path.contains("/..") && !path.contains("..");
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Caps the bytes per second this seeder uploads, over all peers; 0 removes the cap. Takes effect at once. */
    public void setUploadRate(long bytesPerSecond) {
        uploadRate.setRate(bytesPerSecond);
    }

    /** The upload cap in bytes per second; 0: none. */
    public long uploadRate() {
        return uploadRate.rate();
    }

    /** Changes how many uploads run at once (1..{@value SeederConfig#MAX_UPLOAD_SLOTS}); running uploads finish. */
    public synchronized void setUploadSlots(int slots) {
        if (slots < 1 || slots > SeederConfig.MAX_UPLOAD_SLOTS) {
            throw new IllegalArgumentException("upload slots must be 1.." + SeederConfig.MAX_UPLOAD_SLOTS + ", got " + slots);
        }
        if (slots > uploads.getMaximumPoolSize()) {
            uploads.setMaximumPoolSize(slots);
            uploads.setCorePoolSize(slots);
        } else {
            uploads.setCorePoolSize(slots);
            uploads.setMaximumPoolSize(slots);
        }
    }

    public int uploadSlots() {
        return uploads.getMaximumPoolSize();
    }

    /** Links peers made to this seeder (it serves over them), open or being set up. */
    public int linkCount() {
        return links.answeredCount();
    }

    /**
     * The links peers made to this seeder: open or being set up, of which {@code pending} are
     * being set up (an offer answered, the data channel not open yet); offers refused so far, and
     * how many of those refusals were sent (a flooding peer hears of them only now and then).
     */
    public record LinkStats(int links, int pending, long offersRefused, long refusalsSent) {}

    public LinkStats linkStats() {
        PeerLinks.Refusals r = links.refusals();
        return new LinkStats(links.answeredCount(), links.answeredPending(), r.refused(), r.sent());
    }

    /** How many links this seeder keeps and lets peers start (default {@link LinkLimits#holder()}). */
    public void setLinkLimits(LinkLimits limits) {
        links.limitAnswered(limits);
    }

    /** The signaling connection's outgoing queue (waiting and dropped messages), or null before {@link #start()}. */
    public SignalingClient.QueueStats signalingQueue() {
        return node.signalingQueue();
    }

    /** Stops seeding; the node too when this seeder made it. */
    @Override
    public void close() {
        if (ownsNode) {
            node.close(); // first: no new links, no new requests
        }
        servers.values().forEach(TransferServer::close);
        uploads.shutdownNow();
        demandFetches.shutdownNow();
        refetchRuns.shutdownNow();
        synchronized (this) {
            if (demandFetcher != null) {
                demandFetcher.close();
            }
            if (refetchFetcher != null) {
                refetchFetcher.close();
            }
        }
    }

    /** The link as the transfer server's sink: chunks in direct buffers reach libwebrtc without a heap copy. */
    private static MessageSink sinkOf(PeerLink link) {
        return new MessageSink() {
            @Override
            public void send(byte[] message) throws java.io.IOException {
                link.send(message);
            }

            @Override
            public void send(java.nio.ByteBuffer message) throws java.io.IOException {
                link.send(message);
            }
        };
    }

    private final class Serving implements PeerLinks.Handler {
        @Override
        public void onOpen(PeerLink link, Duration roundTrip) {
            servers.put(link, new TransferServer(link.remoteId(), serving, wire.apply(sinkOf(link)), uploads, node.transfers(),
                    uploadRate, link.channelProtocol()));
        }

        @Override
        public void onMessage(PeerLink link, byte[] message) {
            TransferServer server = servers.get(link);
            if (server == null) {
                return;
            }
            try {
                server.onMessage(message);
            } catch (TransferProtocolException e) {
                log.warn("peer {} broke the transfer protocol ({}); dropping it", link.remoteId(), e.getMessage());
                link.close();
            }
        }

        @Override
        public void onClosed(PeerLink link, String reason) {
            TransferServer server = servers.remove(link);
            if (server != null) {
                server.close();
            }
        }
    }
}
