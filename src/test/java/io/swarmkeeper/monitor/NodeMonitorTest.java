package io.swarmkeeper.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.monitor.NodeSnapshot.HashCheckEntry;
import io.swarmkeeper.monitor.NodeSnapshot.PeerState;
import io.swarmkeeper.monitor.NodeSnapshot.SignalingKind;
import io.swarmkeeper.monitor.NodeSnapshot.TransferPhase;
import io.swarmkeeper.monitor.NodeSnapshot.TransferState;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The sampled model of a node, fed events by hand on a clock of the test's own. */
class NodeMonitorTest {
    private static final String ME = "me00000001";
    private static final ResourceId PHOTO = ResourceId.of("photo".getBytes());
    private static final ResourceId TOUR = ResourceId.of("tour".getBytes());

    /** 2026-12-01 10:00:00 UTC. */
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final NodeMonitor monitor = new NodeMonitor(now::get, ZoneOffset.UTC);

    private Instant t() {
        return now.get();
    }

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    private void linked(String peer, boolean weOffered) {
        monitor.accept(new SwarmEvent.PeerLinked(t(), ME, peer, weOffered, PeerRole.BROWSER, "random", Duration.ofMillis(4)));
    }

    private void unlinked(String peer, boolean weOffered, String why) {
        monitor.accept(new SwarmEvent.PeerUnlinked(t(), ME, peer, weOffered, why));
    }

    private void transfer(String peer, ResourceId id, Direction direction, long done, long total, boolean finished,
                          String failure) {
        monitor.accept(new SwarmEvent.Transfer(t(), ME, peer, id, direction, done, total, finished, failure));
    }

    private PeerState peer(NodeSnapshot s, String id) {
        return s.peers().stream().filter(p -> p.peerId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not among " + s.peers()));
    }

    @Test
    void aPeerCarriesThePlaceTheServerGaveItAndNoPlaceWhenItGaveNone() {
        monitor.accept(new SwarmEvent.PeerLinked(t(), ME, "nearby0001", true, PeerRole.SEEDER, "city", Duration.ofMillis(4),
                new io.swarmkeeper.protocol.Message.Place("London", "GB")));
        linked("unplaced01", false);
        NodeSnapshot s = monitor.snapshot();
        assertEquals("London, GB", peer(s, "nearby0001").place());
        assertEquals("city", peer(s, "nearby0001").matchReason());
        assertNull(peer(s, "unplaced01").place());
    }

    @Test
    void keepsWhatItKnowsOfALinkedPeer() {
        linked("p1", false);
        monitor.accept(new SwarmEvent.RoundTrip(t(), ME, "p1", Duration.ofMillis(9)));
        PeerState p = peer(monitor.snapshot(), "p1");
        assertTrue(p.linked());
        assertEquals("linked", p.state());
        assertEquals(PeerRole.BROWSER, p.role());
        assertEquals("random", p.matchReason());
        assertEquals(Duration.ofMillis(9), p.roundTrip());
        assertEquals(t(), p.connectedSince());
        assertEquals(1.0, p.fade());
        assertFalse(p.distrusted());
    }

    @Test
    void aPeerThatLeftFadesOutAndThenGoes() {
        linked("p1", false);
        linked("p2", false);
        unlinked("p1", false, "idle for 30 s");
        PeerState left = peer(monitor.snapshot(), "p1");
        assertFalse(left.linked());
        assertEquals("left: idle for 30 s", left.state());
        assertEquals(1.0, left.fade(), 1e-9);

        advance(NodeMonitor.FADE_AFTER.dividedBy(2));
        assertEquals(0.5, peer(monitor.snapshot(), "p1").fade(), 1e-3);

        advance(NodeMonitor.FADE_AFTER.dividedBy(2).plusSeconds(1));
        NodeSnapshot later = monitor.snapshot();
        assertEquals(List.of("p2"), later.peers().stream().map(PeerState::peerId).toList(), "only the linked peer is left");
    }

    @Test
    void aPeerLinkedBothWaysLeavesOnlyWhenBothLinksClose() {
        linked("both", true);
        linked("both", false);
        unlinked("both", true, "idle");
        assertTrue(peer(monitor.snapshot(), "both").linked());
        unlinked("both", false, "closed by the peer");
        assertFalse(peer(monitor.snapshot(), "both").linked());
    }

    @Test
    void aPeerThatComesBackBeforeItFadedStaysAndDoesNotGoWithItsOldLeave() {
        linked("p1", false);
        unlinked("p1", false, "idle");
        advance(Duration.ofSeconds(30));
        linked("p1", true);
        advance(NodeMonitor.FADE_AFTER);
        PeerState p = peer(monitor.snapshot(), "p1");
        assertTrue(p.linked());
        assertEquals(1.0, p.fade());
        assertNull(p.leftAt());
    }

    @Test
    void peersThatLeftAreBoundedOldestFirst() {
        int many = NodeMonitor.MAX_GONE_PEERS + 50;
        for (int i = 0; i < many; i++) {
            linked("gone-" + i, false);
            unlinked("gone-" + i, false, "done");
        }
        linked("here", false);
        NodeSnapshot s = monitor.snapshot();
        assertEquals(NodeMonitor.MAX_GONE_PEERS + 1, s.peers().size());
        assertEquals("gone-50", s.peers().get(0).peerId(), "the oldest that left went first");
        assertTrue(peer(s, "here").linked());
    }

    @Test
    void aDistrustedPeerIsMarkedWithWhy() {
        linked("liar", true);
        monitor.accept(new SwarmEvent.HashCheck(t(), ME, TOUR, "peer:liar", false,
                "sent bytes that failed the hash (got " + PHOTO.text() + ")"));
        monitor.accept(new SwarmEvent.PeerDistrusted(t(), ME, "liar", TOUR, "sent bytes that failed the hash"));
        NodeSnapshot s = monitor.snapshot();
        PeerState liar = peer(s, "liar");
        assertTrue(liar.distrusted());
        assertEquals("sent bytes that failed the hash", liar.distrustReason());
        assertEquals(1, s.checksFailed());
        HashCheckEntry check = s.hashChecks().get(0);
        assertFalse(check.passed());
        assertEquals(List.of("liar"), check.sourcePeers());
        assertEquals(TOUR.text(), check.expected());
        assertEquals(PHOTO.text(), check.actual(), "the hash the event named");
    }

    @Test
    void aPeerDistrustedByAnotherNodeIsShownAndFades() {
        monitor.accept(new SwarmEvent.PeerDistrusted(t(), "visitor", "liar", TOUR, "sent bad bytes"));
        PeerState liar = peer(monitor.snapshot(), "liar");
        assertTrue(liar.distrusted());
        assertFalse(liar.linked());
        advance(NodeMonitor.FADE_AFTER.plusSeconds(1));
        assertTrue(monitor.snapshot().peers().isEmpty());
    }

    @Test
    void hashChecksAreCountedAndTheListIsBounded() {
        int many = NodeMonitor.MAX_HASH_CHECKS + 10;
        int failed = 0;
        for (int i = 0; i < many; i++) {
            boolean fails = i % 10 == 0;
            failed += fails ? 1 : 0;
            monitor.accept(new SwarmEvent.HashCheck(t(), ME, PHOTO, fails ? "peers:a,b" : "origin", !fails, null));
        }
        NodeSnapshot s = monitor.snapshot();
        assertEquals(failed, s.checksFailed());
        assertEquals(many - failed, s.checksPassed());
        assertEquals(NodeMonitor.MAX_HASH_CHECKS, s.hashChecks().size());
        assertEquals(many, s.hashChecks().get(0).sequence(), "newest first");
        assertEquals(List.of("a", "b"), s.hashChecks().stream().filter(c -> !c.passed()).findFirst().orElseThrow().sourcePeers());
        assertTrue(s.hashChecks().stream().filter(HashCheckEntry::passed).allMatch(HashCheckEntry::fromOrigin));
    }

    @Test
    void aTransferMovesFinishesAndIsKeptForAWhile() {
        linked("p1", false);
        transfer("p1", TOUR, Direction.UPLOAD, 0, 1_000_000, false, null);
        advance(Duration.ofSeconds(1));
        transfer("p1", TOUR, Direction.UPLOAD, 400_000, 1_000_000, false, null);
        TransferState live = monitor.snapshot().transfers().get(0);
        assertEquals(TransferPhase.LIVE, live.phase());
        assertEquals(0.4, live.progress(), 1e-9);
        assertEquals(400_000, live.speed());

        advance(Duration.ofSeconds(1));
        transfer("p1", TOUR, Direction.UPLOAD, 1_000_000, 1_000_000, true, null);
        transfer("p1", PHOTO, Direction.DOWNLOAD, 10, 10, true, "stalled");
        NodeSnapshot s = monitor.snapshot();
        assertEquals(List.of(TransferPhase.FAILED, TransferPhase.FINISHED), s.transfers().stream().map(TransferState::phase).toList());
        assertEquals(500_000, s.transfers().get(1).speed());
        assertEquals("stalled", s.transfers().get(0).failure());
        assertEquals(1_000_000, peer(s, "p1").uploaded());
        assertEquals(10, peer(s, "p1").downloaded());
        assertEquals(1_000_000, s.servedTotal());

        advance(NodeMonitor.FINISHED_KEPT.plusSeconds(1));
        assertTrue(monitor.snapshot().transfers().isEmpty());
    }

    /** A link carries two ranges of one resource at once; the events do not say which is which. */
    @Test
    void twoRangesOfOneResourceAtOnceAreCountedExactly() {
        linked("p1", true);
        long range = 512 * 1024;
        transfer("p1", TOUR, Direction.DOWNLOAD, 0, range, false, null);
        transfer("p1", TOUR, Direction.DOWNLOAD, 0, range, false, null);
        assertEquals(2, monitor.snapshot().transfers().size());
        transfer("p1", TOUR, Direction.DOWNLOAD, 262_144, range, false, null);
        transfer("p1", TOUR, Direction.DOWNLOAD, 262_144, range, false, null);
        transfer("p1", TOUR, Direction.DOWNLOAD, range, range, true, null);
        transfer("p1", TOUR, Direction.DOWNLOAD, 300_000, 300_000, true, "stalled");
        NodeSnapshot s = monitor.snapshot();
        assertEquals(range + 300_000, s.downloadedTotal(), "each byte once");
        assertEquals(range + 300_000, peer(s, "p1").downloaded());
        assertEquals(List.of(TransferPhase.FAILED, TransferPhase.FINISHED),
                s.transfers().stream().map(TransferState::phase).toList());
        assertTrue(s.transfers().get(0).serial() != s.transfers().get(1).serial());
    }

    @Test
    void finishedTransfersAreBounded() {
        for (int i = 0; i < NodeMonitor.MAX_FINISHED_TRANSFERS + 20; i++) {
            transfer("p" + i, PHOTO, Direction.UPLOAD, 5, 5, true, null);
        }
        assertEquals(NodeMonitor.MAX_FINISHED_TRANSFERS, monitor.snapshot().transfers().size());
    }

    @Test
    void ratesArePerSecondOverTheLastMinutes() {
        linked("p1", false);
        transfer("p1", TOUR, Direction.UPLOAD, 0, 10_000_000, false, null);
        long[] perSecond = {300_000, 500_000, 200_000};
        long done = 0;
        for (long bytes : perSecond) {
            advance(Duration.ofSeconds(1));
            done += bytes;
            transfer("p1", TOUR, Direction.UPLOAD, done, 10_000_000, false, null);
        }
        transfer("p1", PHOTO, Direction.DOWNLOAD, 0, 100, false, null);
        transfer("p1", PHOTO, Direction.DOWNLOAD, 100, 100, true, null);
        advance(Duration.ofSeconds(1));
        NodeSnapshot s = monitor.snapshot();
        int n = s.upload().size();
        assertEquals(NodeMonitor.RATE_SECONDS, n);
        assertEquals(t().getEpochSecond(), s.upload().lastSecond());
        assertEquals(0, s.upload().get(n - 1), "nothing yet in the current second");
        assertEquals(200_000, s.upload().get(n - 2));
        assertEquals(500_000, s.upload().get(n - 3));
        assertEquals(300_000, s.upload().get(n - 4));
        assertEquals(100, s.download().get(n - 2));
        assertEquals((200_000 + 500_000) / 2, s.upload().recentMean(2));
        assertEquals(350_000, peer(s, "p1").uploadRate(), "the peer's mean over its last two complete seconds");

        advance(Duration.ofSeconds(NodeMonitor.RATE_SECONDS));
        NodeSnapshot later = monitor.snapshot();
        assertEquals(0, later.upload().max(), "out of the window: forgotten");
        assertEquals(0, peer(later, "p1").uploadRate());
        assertEquals(1_000_000, later.servedTotal(), "totals stay");
    }

    @Test
    void bytesServedTodayStartAgainAtMidnight() {
        now.set(Instant.parse("2026-12-01T23:59:59Z"));
        transfer("p1", PHOTO, Direction.UPLOAD, 700, 700, true, null);
        monitor.addServedBefore(5_000);
        assertEquals(700, monitor.snapshot().servedToday());
        now.set(Instant.parse("2026-12-02T00:00:01Z"));
        assertEquals(0, monitor.snapshot().servedToday(), "a new day, nothing served yet");
        transfer("p2", PHOTO, Direction.UPLOAD, 300, 300, true, null);
        NodeSnapshot s = monitor.snapshot();
        assertEquals(300, s.servedToday());
        assertEquals(6_000, s.servedTotal());
    }

    @Test
    void signalingStateFollowsConnectionLossRetriesAndRefusals() {
        assertEquals(SignalingKind.STARTING, monitor.snapshot().signaling().kind());
        monitor.accept(new SwarmEvent.Connection(t(), ME, "ws://127.0.0.1:1", ME, true));
        NodeSnapshot.SignalingState up = monitor.snapshot().signaling();
        assertEquals(SignalingKind.CONNECTED, up.kind());
        assertEquals(ME, up.peerId());

        Instant lost = t();
        monitor.accept(new SwarmEvent.Connection(t(), ME, "ws://127.0.0.1:1", ME, false));
        monitor.accept(new SwarmEvent.SignalingRetry(t(), ME, "ws://127.0.0.1:1", "connection lost (1006)", t().plusSeconds(2)));
        NodeSnapshot.SignalingState down = monitor.snapshot().signaling();
        assertEquals(SignalingKind.RECONNECTING, down.kind());
        assertEquals("connection lost (1006)", down.reason());
        assertEquals(t().plusSeconds(2), down.retryAt());
        assertEquals(ME, down.peerId(), "the last id is remembered");

        advance(Duration.ofSeconds(2));
        String refused = "signaling server ws://127.0.0.1:1 refused us: busy: too many peers (retry after 8000 ms)";
        monitor.accept(new SwarmEvent.SignalingRetry(t(), ME, "ws://127.0.0.1:1", refused, t().plusSeconds(8)));
        NodeSnapshot.SignalingState refusal = monitor.snapshot().signaling();
        assertEquals(SignalingKind.REFUSED, refusal.kind());
        assertEquals(refused, refusal.reason());
        assertEquals(lost, refusal.since(), "one outage, from its start");

        monitor.accept(new SwarmEvent.Connection(t(), ME, "ws://127.0.0.1:1", "newid00001", true));
        assertEquals(SignalingKind.CONNECTED, monitor.snapshot().signaling().kind());
        assertEquals("newid00001", monitor.snapshot().signaling().peerId());
    }

    @Test
    void aStartThatFailedIsShownUntilTheNodeConnects() {
        monitor.signalingFailed("ws://127.0.0.1:1", "signaling server ws://127.0.0.1:1 refused us: token-required: a token is needed");
        assertEquals(SignalingKind.REFUSED, monitor.snapshot().signaling().kind());
        monitor.signalingFailed("ws://127.0.0.1:1", "Connection refused");
        assertEquals(SignalingKind.DISCONNECTED, monitor.snapshot().signaling().kind(), "a closed port, not a refusal");
        monitor.signalingFailed("ws://127.0.0.1:1", "timed out");
        assertEquals(SignalingKind.DISCONNECTED, monitor.snapshot().signaling().kind());
    }

    @Test
    void reportsTheStoreUseWhenGivenAStore() {
        assertNull(monitor.snapshot().store());
        monitor.watchStore(() -> 300, () -> 1_000);
        assertEquals(new NodeSnapshot.StoreUse(300, 1_000), monitor.snapshot().store());
    }

    @Test
    void hearsAnEventStreamFromManyThreadsAndLosesNothing() throws Exception {
        SwarmEvents events = new SwarmEvents();
        monitor.attach(events);
        int threads = 4;
        int perThread = 25_000;
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            String peer = "peer-" + i;
            Thread th = new Thread(() -> {
                events.publish(new SwarmEvent.PeerLinked(t(), ME, peer, false, null, null, null));
                for (int k = 1; k <= perThread; k++) {
                    events.publish(new SwarmEvent.Transfer(t(), ME, peer, PHOTO, Direction.UPLOAD, k, perThread, false, null));
                    if (k % 100 == 0) {
                        events.publish(new SwarmEvent.HashCheck(t(), ME, PHOTO, "origin", true, null));
                    }
                }
            });
            started.add(th);
            th.start();
        }
        for (Thread th : started) {
            th.join();
        }
        NodeSnapshot s = monitor.snapshot();
        assertEquals((long) threads * perThread, s.servedTotal(), "every byte counted once");
        assertEquals((long) threads * perThread / 100, s.checksPassed());
        for (int i = 0; i < threads; i++) {
            assertEquals(perThread, peer(s, "peer-" + i).uploaded());
        }
        assertEquals(threads, s.transfers().size());
    }

    /** The model is core: a window samples it, but it must run (and be tested) without JavaFX. */
    @Test
    void theMonitorKnowsNothingOfJavaFx() throws Exception {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/java/io/swarmkeeper/monitor"))) {
            List<java.nio.file.Path> sources = files.toList();
            assertFalse(sources.isEmpty());
            for (java.nio.file.Path source : sources) {
                assertFalse(java.nio.file.Files.readString(source).contains("javafx"), source + " uses JavaFX");
            }
        }
    }

    @Test
    void aThousandPeersAndTheirTransfersStayWithinBounds() {
        for (int i = 0; i < 1_000; i++) {
            linked("p" + i, false);
            transfer("p" + i, TOUR, Direction.UPLOAD, 1, 10, false, null);
        }
        NodeSnapshot s = monitor.snapshot();
        assertEquals(1_000, s.peers().size());
        assertEquals(1_000, s.transfers().size());
        for (int i = 0; i < NodeMonitor.MAX_PEERS; i++) {
            linked("more-" + i, false);
        }
        NodeSnapshot full = monitor.snapshot();
        assertEquals(NodeMonitor.MAX_PEERS, full.peers().size());
        assertEquals(1_000, full.peersNotShown());
    }
}
