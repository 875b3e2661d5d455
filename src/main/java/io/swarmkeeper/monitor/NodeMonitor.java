package io.swarmkeeper.monitor;

import io.swarmkeeper.monitor.NodeSnapshot.HashCheckEntry;
import io.swarmkeeper.monitor.NodeSnapshot.PeerState;
import io.swarmkeeper.monitor.NodeSnapshot.RateSeries;
import io.swarmkeeper.monitor.NodeSnapshot.SignalingKind;
import io.swarmkeeper.monitor.NodeSnapshot.SignalingState;
import io.swarmkeeper.monitor.NodeSnapshot.StoreUse;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one node is doing, kept from its {@link SwarmEvents} for a window to sample: its peers
 * (those that left fade out, then go), its live and lately finished transfers, its latest hash
 * checks, its upload and download rates over the last minutes, bytes served, and how it stands
 * with the signaling server.
 *
 * <p>Events arrive on whatever thread published them; each is applied under one short lock in
 * constant time, allocating little, so that 10,000 events a second cost the publisher next to
 * nothing. A viewer calls {@link #snapshot()} a few times a second instead of hearing every
 * event. Memory is bounded whatever the traffic: peers, transfers and checks are capped and the
 * rates live in fixed rings. Knows nothing of JavaFX.
 */
public final class NodeMonitor {
    /** A peer that left is shown, fading, for this long. */
    public static final Duration FADE_AFTER = Duration.ofSeconds(60);
    /** A finished or failed transfer is shown for this long. */
    public static final Duration FINISHED_KEPT = Duration.ofMinutes(5);
    /** A live transfer with no news for this long is taken for lost. */
    static final Duration LIVE_STALE = Duration.ofMinutes(10);
    /** Seconds of upload and download rate kept (one value per second). */
    public static final int RATE_SECONDS = 300;
    static final int MAX_PEERS = 4_096;
    static final int MAX_GONE_PEERS = 256;
    static final int MAX_LIVE_TRANSFERS = 4_096;
    static final int MAX_FINISHED_TRANSFERS = 500;
    static final int MAX_HASH_CHECKS = 1_000;
    /** How many hash checks a view keeps listed: as many as a snapshot carries. */
    public static final int MAX_HASH_CHECKS_SHOWN = MAX_HASH_CHECKS;
    /** Seconds over which a peer's current rate is taken. */
    private static final int PEER_RATE_SECONDS = 2;
    private static final Pattern ACTUAL_HASH = Pattern.compile("got ([A-Za-z0-9+/=_:-]{8,})");

    private final InstantSource clock;
    private final ZoneId zone;
    private final Object lock = new Object();

    // All below guarded by lock.
    private SignalingState signaling = SignalingState.STARTING;
    private final Map<String, PeerEntry> peers = new LinkedHashMap<>();
    /** Peers in the order they left, with the leave they stand for (a peer that came back is skipped). */
    private final ArrayDeque<Leave> leaves = new ArrayDeque<>();
    private int goneCount;
    private long peersNotShown;
    private final TransferBoard transfers = new TransferBoard();
    private final ArrayDeque<HashCheckEntry> hashChecks = new ArrayDeque<>();
    private long checkSequence;
    private long checksPassed;
    private long checksFailed;
    private final RateRing upload = new RateRing(RATE_SECONDS);
    private final RateRing download = new RateRing(RATE_SECONDS);
    private long servedToday;
    private long servedTotal;
    private long downloadedTotal;
    private Instant nextMidnight = Instant.MIN;

    private final long firstSecond;
    private volatile LongSupplier storeUsed;
    private volatile LongSupplier storeQuota;

    /** A monitor on the system clock, counting "today" in the system's time zone. */
    public NodeMonitor() {
        this(InstantSource.system(), ZoneId.systemDefault());
    }

    /** A monitor reading the time from {@code clock} (for fading, keeping and rates) and counting "today" in {@code zone}. */
    public NodeMonitor(InstantSource clock, ZoneId zone) {
        this.clock = clock;
        this.zone = zone;
        this.firstSecond = clock.instant().getEpochSecond();
    }

    /** Hears {@code events} from now on. */
    public NodeMonitor attach(SwarmEvents events) {
        events.subscribe(this::accept);
        return this;
    }

    /** Reports the store's use and quota in each snapshot; both are read when a snapshot is taken, so they must be cheap. */
    public void watchStore(LongSupplier usedBytes, LongSupplier quotaBytes) {
        this.storeUsed = usedBytes;
        this.storeQuota = quotaBytes;
    }

    /** Adds bytes served before this monitor started (the store's record) to the total. */
    public void addServedBefore(long bytes) {
        synchronized (lock) {
            servedTotal += bytes;
        }
    }

    /**
     * The node could not reach or was refused by its signaling server outside any event (its start
     * failed): says so until an event says otherwise.
     */
    public void signalingFailed(String server, String reason) {
        synchronized (lock) {
            signaling = new SignalingState(refusal(reason) ? SignalingKind.REFUSED : SignalingKind.DISCONNECTED, server,
                    signaling.peerId(), reason, null, clock.instant());
        }
    }

    /** Applies one event; any thread. */
    public void accept(SwarmEvent event) {
        synchronized (lock) {
            if (event instanceof SwarmEvent.Transfer t) {
                onTransfer(t);
            } else if (event instanceof SwarmEvent.PeerLinked p) {
                onLinked(p);
            } else if (event instanceof SwarmEvent.PeerUnlinked p) {
                onUnlinked(p);
            } else if (event instanceof SwarmEvent.RoundTrip r) {
                PeerEntry peer = peers.get(r.peerId());
                if (peer != null) {
                    peer.roundTrip = r.roundTrip();
                }
            } else if (event instanceof SwarmEvent.HashCheck h) {
                onHashCheck(h);
            } else if (event instanceof SwarmEvent.PeerDistrusted d) {
                onDistrusted(d);
            } else if (event instanceof SwarmEvent.Connection c) {
                onConnection(c);
            } else if (event instanceof SwarmEvent.SignalingRetry r) {
                signaling = new SignalingState(refusal(r.reason()) ? SignalingKind.REFUSED : SignalingKind.RECONNECTING,
                        r.server(), signaling.peerId(), r.reason(), r.retryAt(), sinceUnlessSame(SignalingKind.RECONNECTING, r.at()));
            }
            // Holdings, drops, refetches, disk space, manifests and withdrawals are the store's and
            // the sites' business: other views read them from there.
        }
    }

    /** The signaling client's words for a server that answered and said no (a closed port is not a refusal). */
    private static boolean refusal(String reason) {
        return reason != null && reason.contains("refused us");
    }

    /** When a down state began: kept across the retries of one outage. */
    private Instant sinceUnlessSame(SignalingKind kind, Instant at) {
        boolean down = signaling.kind() == SignalingKind.RECONNECTING || signaling.kind() == SignalingKind.REFUSED
                || signaling.kind() == SignalingKind.DISCONNECTED;
        return down && kind != SignalingKind.CONNECTED && signaling.since() != null ? signaling.since() : at;
    }

    private void onConnection(SwarmEvent.Connection c) {
        if (c.connected()) {
            signaling = new SignalingState(SignalingKind.CONNECTED, c.server(), c.peerId(), null, null, c.at());
        } else {
            String id = c.peerId() != null ? c.peerId() : signaling.peerId();
            signaling = new SignalingState(SignalingKind.DISCONNECTED, c.server(), id, "connection lost", null,
                    sinceUnlessSame(SignalingKind.DISCONNECTED, c.at()));
        }
    }

    private void onLinked(SwarmEvent.PeerLinked p) {
        PeerEntry peer = peers.get(p.peerId());
        if (peer == null) {
            peer = newPeer(p.peerId());
            if (peer == null) {
                return;
            }
        }
        if (peer.leftAt != null) {
            peer.leftAt = null;
            goneCount--;
        }
        if (peer.links == 0) {
            peer.connectedSince = p.at();
        }
        peer.links |= linkBit(p.weOffered());
        peer.state = "linked";
        if (p.role() != null) {
            peer.role = p.role();
        }
        if (p.matchReason() != null) {
            peer.matchReason = p.matchReason();
        }
        if (p.roundTrip() != null) {
            peer.roundTrip = p.roundTrip();
        }
        if (p.place() != null && p.place().label() != null) {
            peer.place = p.place().label();
        }
    }

    private void onUnlinked(SwarmEvent.PeerUnlinked p) {
        PeerEntry peer = peers.get(p.peerId());
        if (peer == null || peer.links == 0) {
            return;
        }
        peer.links &= ~linkBit(p.weOffered());
        if (peer.links == 0) {
            left(peer, p.at(), p.reason());
        }
    }

    private void left(PeerEntry peer, Instant at, String why) {
        peer.leftAt = at;
        peer.state = why == null ? "left" : "left: " + why;
        peer.leaveCount++;
        goneCount++;
        leaves.addLast(new Leave(peer, peer.leaveCount));
        pruneGone(clock.instant());
    }

    private static int linkBit(boolean weOffered) {
        return weOffered ? 1 : 2;
    }

    /** A new row, or null when the table is full. */
    private PeerEntry newPeer(String id) {
        if (peers.size() >= MAX_PEERS) {
            pruneGone(clock.instant());
            if (peers.size() >= MAX_PEERS) {
                peersNotShown++;
                return null;
            }
        }
        PeerEntry peer = new PeerEntry(id);
        peers.put(id, peer);
        return peer;
    }

    /** Forgets peers that left longer ago than {@link #FADE_AFTER}, and the oldest gone ones beyond {@link #MAX_GONE_PEERS}. */
    private void pruneGone(Instant now) {
        Instant cutoff = now.minus(FADE_AFTER);
        while (!leaves.isEmpty()) {
            Leave oldest = leaves.peekFirst();
            PeerEntry peer = oldest.peer();
            boolean current = peer.leftAt != null && peer.leaveCount == oldest.count() && peers.get(peer.id) == peer;
            if (!current) {
                leaves.removeFirst(); // it came back (or was forgotten) since
                continue;
            }
            if (goneCount > MAX_GONE_PEERS || !peer.leftAt.isAfter(cutoff)) {
                leaves.removeFirst();
                peers.remove(peer.id);
                goneCount--;
                continue;
            }
            break;
        }
    }

    private void onDistrusted(SwarmEvent.PeerDistrusted d) {
        PeerEntry peer = peers.get(d.peerId());
        if (peer == null) {
            // Caught by a node that forwards what it found (the demo's visitors): shown, and fading, all the same.
            peer = newPeer(d.peerId());
            if (peer == null) {
                return;
            }
            peer.distrusted = true;
            peer.distrustReason = d.reason();
            left(peer, d.at(), "not linked with this node; caught by " + d.node());
            return;
        }
        peer.distrusted = true;
        peer.distrustReason = d.reason();
    }

    private void onHashCheck(SwarmEvent.HashCheck h) {
        if (h.passed()) {
            checksPassed++;
        } else {
            checksFailed++;
        }
        List<String> sourcePeers = sourcePeers(h.source());
        String actual = null;
        if (h.detail() != null && !h.passed()) {
            Matcher m = ACTUAL_HASH.matcher(h.detail());
            if (m.find()) {
                actual = m.group(1);
            }
        }
        if (hashChecks.size() >= MAX_HASH_CHECKS) {
            hashChecks.removeLast();
        }
        hashChecks.addFirst(new HashCheckEntry(++checkSequence, h.at(), h.id(), h.source(), sourcePeers, h.id().text(),
                actual, h.passed(), h.detail(), h.node()));
    }

    static List<String> sourcePeers(String source) {
        if (source == null) {
            return List.of();
        }
        if (source.startsWith("peer:")) {
            return List.of(source.substring("peer:".length()));
        }
        if (source.startsWith("peers:")) {
            return List.of(source.substring("peers:".length()).split(","));
        }
        return List.of();
    }

    private void onTransfer(SwarmEvent.Transfer t) {
        count(t.direction(), t.peerId(), t.at(), transfers.apply(t));
    }

    private void count(Direction direction, String peerId, Instant at, long bytes) {
        if (bytes == 0) {
            return;
        }
        long second = at.getEpochSecond();
        PeerEntry peer = peers.get(peerId);
        if (direction == Direction.UPLOAD) {
            upload.add(second, bytes);
            servedTotal += bytes;
            if (!at.isBefore(nextMidnight)) {
                nextMidnight = LocalDate.ofInstant(at, zone).plusDays(1).atStartOfDay(zone).toInstant();
                servedToday = 0;
            }
            servedToday += bytes;
            if (peer != null) {
                peer.uploaded += bytes;
                peer.upRate.add(second, bytes);
            }
        } else {
            download.add(second, bytes);
            downloadedTotal += bytes;
            if (peer != null) {
                peer.downloaded += bytes;
                peer.downRate.add(second, bytes);
            }
        }
    }

    /** The state now: cheap enough to take a few times a second with a thousand peers. */
    public NodeSnapshot snapshot() {
        LongSupplier used = storeUsed;
        LongSupplier quota = storeQuota;
        StoreUse store = used == null ? null : new StoreUse(used.getAsLong(), quota.getAsLong());
        Instant now = clock.instant();
        long nowSecond = now.getEpochSecond();
        synchronized (lock) {
            pruneGone(now);
            List<PeerState> peerStates = new ArrayList<>(peers.size());
            for (PeerEntry peer : peers.values()) {
                peerStates.add(peer.state(now, nowSecond));
            }
            long today = !now.isBefore(nextMidnight) ? 0 : servedToday;
            return new NodeSnapshot(now, signaling, Collections.unmodifiableList(peerStates),
                    transfers.states(now), List.copyOf(hashChecks), checksPassed, checksFailed,
                    new RateSeries(upload.copy(nowSecond, new long[RATE_SECONDS]), nowSecond, firstSecond),
                    new RateSeries(download.copy(nowSecond, new long[RATE_SECONDS]), nowSecond, firstSecond),
                    today, servedTotal, downloadedTotal, store, peersNotShown);
        }
    }

    private record Leave(PeerEntry peer, int count) {}

    private static final class PeerEntry {
        final String id;
        PeerRole role;
        String matchReason;
        /** Open links: bit 1 the one we offered, bit 2 the one it offered. */
        int links;
        String state = "not linked";
        Instant connectedSince;
        Duration roundTrip;
        long uploaded;
        long downloaded;
        final RateRing upRate = new RateRing(PEER_RATE_SECONDS + 1);
        final RateRing downRate = new RateRing(PEER_RATE_SECONDS + 1);
        boolean distrusted;
        String distrustReason;
        Instant leftAt;
        int leaveCount;
        /** "City, CC" as the signaling server placed it (proximity pairing), or null. */
        String place;

        PeerEntry(String id) {
            this.id = id;
        }

        PeerState state(Instant now, long nowSecond) {
            double fade = 1;
            if (leftAt != null) {
                double gone = Duration.between(leftAt, now).toMillis();
                fade = Math.max(0, Math.min(1, 1 - gone / FADE_AFTER.toMillis()));
            }
            return new PeerState(id, role, matchReason, links != 0, state, connectedSince, roundTrip, uploaded,
                    downloaded, recent(upRate, nowSecond), recent(downRate, nowSecond), distrusted, distrustReason,
                    leftAt, fade, place);
        }

        /** The mean of the last complete seconds, the current one counted too when it already holds more. */
        private static long recent(RateRing ring, long nowSecond) {
            long sum = 0;
            for (int i = 1; i <= PEER_RATE_SECONDS; i++) {
                sum += ring.at(nowSecond - i);
            }
            return Math.max(sum / PEER_RATE_SECONDS, ring.at(nowSecond));
        }
    }
}
