package io.swarmkeeper.node;

import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.origin.OriginClient;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.transfer.TransferClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches resources for a node: asks the signaling server who holds one, fetches it from several
 * holders at once over WebRTC until a copy verifies, and falls back to the origin. A holder whose
 * bytes fail the hash is distrusted for the life of the node.
 *
 * <p>A fetcher is the fetching role of a {@link Node}: {@link #Fetcher(Node, Path, Options)}
 * binds one to a node that may serve too (a seeder fetching what it lost, what the swarm
 * demands, or what its user asks for, with its own id over its own connection and links); the
 * other constructor makes a node of its own, which only fetches (the {@code fetch} command, a
 * leecher), and closes it with the fetcher. Fetchers of one node share its links, what it learned
 * of holders, and its download cap; each has its own settings and origin client.
 */
public final class Fetcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    /**
     * Settings of a fetcher.
     *
     * @param transferIdleTimeout a holder that sends nothing on a request for this long is dropped
     * @param holdersToTry        holders used at once; the signaling server is asked for
     *                            {@link #SPARE_HOLDERS} more, which replace those that refuse or fail
     */
    public record Options(Duration matchTimeout, Duration transferIdleTimeout, long maxBytes, int holdersToTry) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(20), 1L << 31, 4);
        }
    }

    private final Node node;
    /** True when this fetcher made its node, and closes it. */
    private final boolean ownsNode;
    private final Requesting requesting;
    private final PeerLinks links;
    private final Options options;
    private volatile OriginClient origin;
    /** Where origins may be: public addresses unless the operator allowed private ones. */
    private volatile AddressPolicy originAddresses = AddressPolicy.PUBLIC_ONLY;
    /** Null: an origin's redirects are followed to any http(s) URL. */
    private volatile java.util.function.Predicate<URI> originRedirects;
    /** Guards rebuilding {@link #origin} from the two settings above. */
    private final Object originLock = new Object();
    private final Path stagingDir;
    static final int STRIKES_TO_DISTRUST = Requesting.STRIKES_TO_DISTRUST;
    /** A holder that refused us for being busy is offered again once, after this pause, when no other holder served. */
    static final long BUSY_RETRY_MILLIS = 1_000;
    /** Holders asked for beyond those used at once, to replace those that refuse or fail. */
    static final int SPARE_HOLDERS = 2;
    /** The most holders one want may ask for (docs/protocol.md, {@code want}). */
    static final int MAX_HOLDERS_ASKED = 8;

    /**
     * A fetcher with a node of its own, which only fetches: it connects to {@code server} when it
     * first fetches (or at {@link #connect}), and again when it finds itself cut off.
     *
     * @param stagingDir where bytes wait while they are verified; null for the system temp dir
     */
    public Fetcher(URI server, Path stagingDir, Options options, SwarmEvents events) {
        this(Node.oneShot(server, null, events), true, stagingDir, options);
    }

    /**
     * The fetching role of {@code node}, which may serve too: fetches go over its connection
     * and its links, under its id. Closing this fetcher leaves the node open.
     */
    public Fetcher(Node node, Path stagingDir, Options options) {
        this(node, false, stagingDir, options);
    }

    private Fetcher(Node node, boolean ownsNode, Path stagingDir, Options options) {
        this.node = node;
        this.ownsNode = ownsNode;
        this.requesting = node.requesting();
        this.links = node.links();
        this.stagingDir = stagingDir;
        this.options = options;
        this.origin = originClient();
    }

    /** Connects to the signaling server (done lazily by {@link #fetch} too). */
    public Fetcher connect() throws IOException {
        // WebRTC's start (~150 ms) overlaps the server's welcome and the match. Only here: a
        // seeder answers offers, and its own start (measured by the installer test) stays lean.
        io.swarmkeeper.rtc.RtcRuntime.warmUp();
        node.connect();
        return this;
    }

    /** The node this fetcher fetches for. */
    public Node node() {
        return node;
    }

    public String peerId() {
        return node.peerId();
    }

    /** Caps the bytes per second the node downloads from peers, over all of them and all its fetchers; 0 removes the cap. */
    public void setDownloadRate(long bytesPerSecond) {
        requesting.downloadRate().setRate(bytesPerSecond);
    }

    /** From now on, follow an origin's redirects only to URLs {@code allowed} accepts. */
    public void restrictOriginRedirects(java.util.function.Predicate<URI> allowed) {
        synchronized (originLock) {
            originRedirects = allowed;
            origin = originClient();
        }
    }

    /**
     * From now on, fetch from origins (and follow their redirects) only at addresses
     * {@code addresses} accepts; {@link AddressPolicy#PUBLIC_ONLY} until told otherwise.
     */
    public void setOriginAddresses(AddressPolicy addresses) {
        synchronized (originLock) {
            originAddresses = addresses;
            origin = originClient();
        }
    }

    /** The token to present to a signaling server that admits peers only with one (the node's next connection on). */
    public void setServerToken(String token) {
        node.setServerToken(token);
    }

    private OriginClient originClient() {
        return new OriginClient(Duration.ofSeconds(10), Duration.ofMinutes(5), options.maxBytes(), originRedirects,
                originAddresses);
    }

    /** Links the node offered (to holders), open or opening. */
    public int linkCount() {
        return links.offeredCount();
    }

    /**
     * How many links the node keeps and how long an idle one it offered stays open for the next
     * fetch from the same holder (default {@link LinkLimits#requester()}; a zero idle timeout
     * closes each link when its fetch is done).
     */
    public void setLinkLimits(LinkLimits limits) {
        links.limitOffered(limits);
    }

    /** Peers whose bytes failed verification, or that broke the protocol or stalled too often (the node's). */
    public Set<String> distrusted() {
        return requesting.distrusted();
    }

    /**
     * Gets verified bytes of {@code id}: from peers first (several at once, each sending different
     * ranges), then from {@code originUrl} when given.
     *
     * <p>When the assembled bytes fail the hash, a peer that sent all of them is distrusted at
     * once; when several sent them, a good copy (from the origin, or from a holder that took no
     * part) is compared range by range, and exactly the peers whose ranges differ are
     * distrusted, reported to the signaling server, and dropped. The good copy is the result.
     *
     * @throws FetchException with a one-line reason when no verified copy could be had
     */
    public FetchResult fetch(ResourceId id, URI originUrl) throws FetchException {
        return fetch(id, originUrl, -1);
    }

    /**
     * As {@link #fetch(ResourceId, URI)}; when {@code knownSize} is 0 or more (from a manifest,
     * or given by the user), the origin's answer must be that long and is cut at once when it
     * goes on past it.
     */
    public FetchResult fetch(ResourceId id, URI originUrl, long knownSize) throws FetchException {
        List<String> reasons = java.util.Collections.synchronizedList(new ArrayList<>()); // link threads add too
        Map<String, Message.PeerInfo> known = new ConcurrentHashMap<>(); // what the match said of each holder
        try {
            connect();
            Deque<String> untried = new ArrayDeque<>();
            long wantNanos = System.nanoTime();
            List<Message.PeerInfo> holders = askForHolders(id, originUrl);
            Asked asked = new Asked(wantNanos, System.nanoTime());
            for (Message.PeerInfo holder : holders) {
                if (!requesting.isDistrusted(holder.id()) && !holder.id().equals(node.peerId())) {
                    untried.add(holder.id());
                    known.put(holder.id(), holder);
                }
            }
            Set<String> busy = ConcurrentHashMap.newKeySet(); // holders that refused us for being busy
            for (boolean busyRetried = false; ; busyRetried = true) {
                while (!isEmpty(untried)) {
                    List<String> round = new ArrayList<>();
                    synchronized (untried) {
                        while (!untried.isEmpty() && round.size() < options.holdersToTry()) {
                            round.add(untried.poll());
                        }
                    }
                    Set<String> idle = new java.util.LinkedHashSet<>();
                    FetchResult result = fromPeers(id, round, known, originUrl, knownSize, untried, reasons, idle, busy, asked);
                    if (result != null) {
                        return result;
                    }
                    // Holders of the round that were never needed (another sent everything) get their turn.
                    List<String> again = new ArrayList<>(idle);
                    synchronized (untried) {
                        for (int i = again.size() - 1; i >= 0; i--) {
                            if (!requesting.isDistrusted(again.get(i))) {
                                untried.addFirst(again.get(i));
                            }
                        }
                    }
                }
                if (busyRetried || busy.isEmpty()) {
                    break;
                }
                // Busy is a passing state: once every other holder was tried, those get one more offer.
                Thread.sleep(BUSY_RETRY_MILLIS);
                synchronized (untried) {
                    untried.addAll(busy);
                }
                busy.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reasons.add("interrupted");
        } catch (IOException e) {
            // Said now as well: when the origin then delivers, this is the only trace of why peers did not.
            log.warn("{}", e.getMessage());
            reasons.add(e.getMessage());
        }
        if (reasons.isEmpty()) {
            reasons.add("no peer holds it");
        }
        String why;
        synchronized (reasons) {
            why = String.join("; ", reasons);
        }
        if (originUrl == null) {
            throw new FetchException("no verified copy of " + id.text() + ": " + why
                    + "; no origin given");
        }
        try {
            return fromOrigin(id, originUrl, knownSize);
        } catch (HashMismatchException e) {
            throw new FetchException("no verified copy of " + id.text() + ": " + why
                    + "; origin sent bytes that failed the hash (got " + e.actual() + ")");
        } catch (IOException e) {
            throw new FetchException("no verified copy of " + id.text() + ": " + why
                    + "; origin failed: " + e.getMessage());
        }
    }

    private FetchResult fromOrigin(ResourceId id, URI originUrl, long knownSize) throws IOException {
        try {
            OriginClient.Fetched fetched = origin.fetch(originUrl, id, knownSize, stagingDir);
            node.events().publish(new SwarmEvent.HashCheck(Instant.now(), node.name(), id, "origin", true, originUrl.toString()));
            return new FetchResult(id, fetched.file().size(), "origin", fetched.file(), fetched.mediaType());
        } catch (HashMismatchException e) {
            node.events().publish(new SwarmEvent.HashCheck(Instant.now(), node.name(), id, "origin", false, e.getMessage()));
            throw e;
        }
    }

    private static boolean isEmpty(Deque<String> holders) {
        synchronized (holders) {
            return holders.isEmpty();
        }
    }

    /**
     * One round: {@code peers} at once. Null when they could not deliver verified bytes; the
     * reasons are added to {@code reasons}, and holders that were never needed to {@code idle}
     * (in the order they joined). {@code spare} holders (guarded by itself) may be used for a good
     * copy, and one takes the place of each holder that refuses our offer.
     *
     * <p>An open link to a holder, left from an earlier fetch, is used again rather than a new one
     * made. Links that served well stay open when the round ends, for the next fetch, and close
     * after {@link LinkLimits#idleTimeout()} unused (docs/protocol.md, section 2, "Links").
     */
    private FetchResult fromPeers(ResourceId id, List<String> peers, Map<String, Message.PeerInfo> known, URI originUrl,
                                  long knownSize, Deque<String> spare,
                                  List<String> reasons, Set<String> idle, Set<String> busy, Asked asked)
            throws IOException {
        Map<String, PeerLink> roundLinks = new ConcurrentHashMap<>();
        List<String> joined = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, SwarmDownload.Fault> faults = new ConcurrentHashMap<>();
        SwarmDownload.SourceDropped onDropped = (peer, why, fault) -> {
            if (fault == SwarmDownload.Fault.BAD_BYTES) {
                distrust(id, peer, why, true);
            } else if (fault == SwarmDownload.Fault.VIOLATION) {
                distrust(id, peer, "broke the transfer protocol: " + why, false);
            } else if (fault == SwarmDownload.Fault.STALL && requesting.strike(peer) >= STRIKES_TO_DISTRUST) {
                distrust(id, peer, "stalled " + STRIKES_TO_DISTRUST + " times", false);
            }
            reasons.add("peer " + peer + ": " + why);
            faults.put(peer, fault);
            PeerLink link = roundLinks.get(peer);
            // A holder that merely went, lacked it or was busy keeps its link, for another fetch.
            if (link != null && fault != SwarmDownload.Fault.GONE) {
                link.close();
            }
        };
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        try (SwarmDownload download = new SwarmDownload(id, stagingDir, options.maxBytes(), onDropped,
                requesting.downloadRate(), node.timer())) {
            AtomicInteger opening = new AtomicInteger();
            java.util.concurrent.atomic.AtomicLong openDeadline = new java.util.concurrent.atomic.AtomicLong();
            /** Brings a holder into the round: over the link kept from an earlier fetch, else a new one. */
            final class Joiner {
                void join(String peer, boolean mayReuse) {
                    PeerLink open = mayReuse ? links.openLink(peer) : null;
                    boolean reused = open != null && requesting.client(open) != null;
                    Message.PeerInfo info = known.get(peer);
                    PeerLink link = reused ? open : links.offer(peer, info == null ? null : info.role(),
                            info == null ? null : info.reason(), info == null ? null : info.place());
                    links.use(link);
                    roundLinks.put(peer, link);
                    joined.add(peer);
                    opening.incrementAndGet();
                    openDeadline.set(System.nanoTime() + links.connectTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1));
                    link.opened().whenComplete((opened, failure) -> {
                        if (failure == null && !reused) {
                            publishSetup(link, asked);
                        }
                        TransferClient client = failure == null && !link.isClosed() ? requesting.client(link) : null;
                        if (client != null) {
                            download.addSource(peer, client);
                        } else {
                            String why = link.closeReason();
                            boolean refused = why != null && why.startsWith(PeerLinks.REFUSED);
                            if (reused && !refused && !over.get()) {
                                // The kept link closed just now (the holder found it idle): make a new one.
                                join(peer, false);
                                opening.decrementAndGet();
                                return;
                            }
                            reasons.add("peer " + peer + ": " + (refused ? why : "no connection"));
                            if (refused && !(PeerLinks.REFUSED + OfferAdmission.TOO_MANY_OFFERS).equals(why)) {
                                busy.add(peer); // any reason but too-many-offers reads as busy (docs/protocol.md)
                            }
                            // Refused at once (busy): not its fault, no strike; another holder takes its place.
                            String next = null;
                            if (refused && !over.get()) {
                                synchronized (spare) {
                                    while (next == null && !spare.isEmpty()) {
                                        next = spare.poll();
                                        if (requesting.isDistrusted(next)) {
                                            next = null;
                                        }
                                    }
                                }
                            }
                            if (next != null) {
                                join(next, true);
                            }
                        }
                        opening.decrementAndGet();
                    });
                }
            }
            Joiner joiner = new Joiner();
            for (String peer : peers) {
                joiner.join(peer, true);
            }
            boolean delivered = awaitRound(download, opening, openDeadline);
            over.set(true);
            synchronized (joined) {
                for (String peer : joined) {
                    if (download.isIdle(peer)) {
                        idle.add(peer);
                    }
                }
            }
            if (!delivered) {
                return null;
            }
            try {
                VerifiedFile file = download.verify();
                String source = label(download.senders());
                node.events().publish(new SwarmEvent.HashCheck(Instant.now(), node.name(), id, source, true, null));
                // Each holder that sent verified bytes earns its record of verified serving.
                download.bytesBySender().forEach((peer, bytes) -> {
                    if (bytes > 0) {
                        node.send(new Message.Served(peer, id.text(), bytes));
                    }
                });
                return new FetchResult(id, file.size(), source, file, null);
            } catch (HashMismatchException e) {
                return blame(id, download, e, known, originUrl, knownSize, spare, reasons);
            }
        } finally {
            over.set(true);
            // The download is closed (its requests cancelled): links that served well stay for the next fetch.
            roundLinks.forEach((peer, link) -> {
                SwarmDownload.Fault fault = faults.get(peer);
                if (!link.isOpen() || requesting.isDistrusted(peer) || (fault != null && fault != SwarmDownload.Fault.GONE)) {
                    link.close();
                }
                links.release(link);
            });
        }
    }

    /** Waits for a round to deliver every byte; false when it cannot any more. */
    private boolean awaitRound(SwarmDownload download, AtomicInteger opening,
                               java.util.concurrent.atomic.AtomicLong openDeadline) throws IOException {
        long idle = options.transferIdleTimeout().toNanos();
        while (true) {
            try {
                download.complete().get(250, TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                if (download.liveSources() == 0 && (opening.get() == 0 || System.nanoTime() - openDeadline.get() > 0)) {
                    return false;
                }
                download.cancelStalled(idle);
            } catch (ExecutionException e) {
                return false; // reasons were given as sources dropped
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /**
     * The assembled bytes failed the hash. One sender: it lied. Several: find out who with a good
     * copy, which then is the result.
     */
    private FetchResult blame(ResourceId id, SwarmDownload download, HashMismatchException mismatch,
                              Map<String, Message.PeerInfo> known, URI originUrl, long knownSize, Deque<String> spare,
                              List<String> reasons) throws IOException {
        List<String> senders = download.senders();
        if (senders.size() == 1) {
            distrust(id, senders.get(0), "sent bytes that failed the hash (got " + mismatch.actual() + ")", true);
            reasons.add("peer " + senders.get(0) + " sent bytes that failed the hash");
            return null;
        }
        FetchResult good = null;
        if (originUrl != null) {
            try {
                good = fromOrigin(id, originUrl, knownSize);
            } catch (IOException e) {
                reasons.add("origin could not settle which peer lied: " + e.getMessage());
            }
        }
        while (good == null) {
            String next;
            synchronized (spare) {
                next = spare.poll();
            }
            if (next == null) {
                break;
            }
            good = fromPeers(id, List.of(next), known, null, -1, new ArrayDeque<>(), reasons, new java.util.HashSet<>(),
                    ConcurrentHashMap.newKeySet(), null);
        }
        if (good == null) {
            reasons.add("peers " + String.join(", ", senders) + " together sent bytes that failed the hash,"
                    + " and no good copy could tell which of them lied");
            return null;
        }
        Map<String, List<SwarmDownload.BadRange>> byPeer = new java.util.LinkedHashMap<>();
        List<SwarmDownload.BadRange> found;
        try {
            found = download.compareWith(good.file());
        } catch (IOException | RuntimeException e) {
            good.file().close();
            throw e;
        }
        for (SwarmDownload.BadRange bad : found) {
            byPeer.computeIfAbsent(bad.peer(), k -> new ArrayList<>()).add(bad);
        }
        byPeer.forEach((peer, ranges) -> distrust(id, peer, "sent bad bytes in " + ranges.stream()
                .map(r -> r.length() + " bytes at offset " + r.offset()).collect(java.util.stream.Collectors.joining(", ")), true));
        return good;
    }

    private void distrust(ResourceId id, String peer, String why, boolean badBytes) {
        requesting.distrust(id, peer, why, badBytes);
    }

    private static String label(List<String> senders) {
        return senders.size() == 1 ? "peer:" + senders.get(0) : "peers:" + String.join(",", senders);
    }

    /** When a fetch sent its want and when the match came ({@link System#nanoTime()}). */
    private record Asked(long wantNanos, long matchNanos) {}

    /** The setup of a link this fetch made, from its want (when known) to its open channel. */
    private void publishSetup(PeerLink link, Asked asked) {
        List<PeerLink.SetupStep> steps = link.setupSteps();
        long start = asked != null ? asked.wantNanos() : steps.get(0).nanos();
        List<SwarmEvent.LinkSetup.Step> said = new ArrayList<>();
        if (asked != null) {
            said.add(new SwarmEvent.LinkSetup.Step("want", Duration.ZERO));
            said.add(new SwarmEvent.LinkSetup.Step("match", Duration.ofNanos(asked.matchNanos() - start)));
        }
        for (PeerLink.SetupStep s : steps) {
            said.add(new SwarmEvent.LinkSetup.Step(s.name(), Duration.ofNanos(s.nanos() - start)));
        }
        node.events().publish(new SwarmEvent.LinkSetup(Instant.now(), node.name(), link.remoteId(), said));
    }

    private List<Message.PeerInfo> askForHolders(ResourceId id, URI originUrl) throws IOException {
        // The origin goes with the want: seeders may pick up what is wanted and poorly held.
        // A few more holders than are used at once: one takes the place of a holder that refuses us.
        int count = Math.min(MAX_HOLDERS_ASKED, options.holdersToTry() + SPARE_HOLDERS);
        return requesting.askForHolders(id, new Message.Want(id.text(), count, originUrl == null ? null : originUrl.toString()),
                options.matchTimeout());
    }

    /** Closes the node when this fetcher made it; a fetcher bound to another's node leaves it open. */
    @Override
    public void close() {
        if (ownsNode) {
            node.close();
        }
    }
}
