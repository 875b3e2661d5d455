package io.swarmkeeper.gui.swarm;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.SnapshotView;
import io.swarmkeeper.monitor.NodeSnapshot;
import io.swarmkeeper.monitor.NodeSnapshot.HashCheckEntry;
import io.swarmkeeper.monitor.NodeSnapshot.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;

/**
 * What the swarm picture shows: this node in the centre, the peers around it on a circle with
 * their current rates each way, flashes for failed hash checks, distrusted peers marked; paused
 * on demand; a peer picked by a click. Positions are on a unit circle (the view scales them).
 * FX thread.
 */
public final class SwarmModel implements SnapshotView {
    /** How long a failed hash check flashes. */
    public static final Duration FLASH = Duration.ofMillis(1500);

    /** One peer on the circle. {@code x} and {@code y} are in -1..1; {@code flash} is 0..1 (1: just failed). */
    public record Placed(PeerState peer, double x, double y, double flash) {}

    private final BooleanProperty paused = new SimpleBooleanProperty();
    private final ReadOnlyLongWrapper frame = new ReadOnlyLongWrapper();
    private final ReadOnlyStringWrapper details = new ReadOnlyStringWrapper("Click a peer for its details.");
    private final Map<String, Instant> flashUntil = new HashMap<>();
    private Instant centreFlashUntil = Instant.MIN;
    private long lastCheck;
    private long flashes;
    private List<String> lastFlashed = List.of();
    private List<Placed> placed = List.of();
    private String self = "";
    private Instant at = Instant.EPOCH;
    private String selected;
    private double centreFlash;

    @Override
    public void show(NodeSnapshot s) {
        // Failed checks are noted even while paused, so a flash is never missed, only drawn later.
        noteChecks(s);
        if (paused.get()) {
            return;
        }
        at = s.at();
        self = s.signaling().peerId() == null ? "" : s.signaling().peerId();
        List<PeerState> peers = s.peers();
        List<Placed> next = new ArrayList<>(peers.size());
        int n = peers.size();
        for (int i = 0; i < n; i++) {
            double angle = -Math.PI / 2 + 2 * Math.PI * i / Math.max(n, 1);
            PeerState p = peers.get(i);
            next.add(new Placed(p, Math.cos(angle), Math.sin(angle), flashLeft(flashUntil.get(p.peerId()))));
        }
        flashUntil.values().removeIf(until -> until.isBefore(at));
        centreFlash = flashLeft(centreFlashUntil);
        placed = List.copyOf(next);
        if (selected != null) {
            describe(selected);
        }
        frame.set(frame.get() + 1);
    }

    private void noteChecks(NodeSnapshot s) {
        long newest = lastCheck;
        for (HashCheckEntry c : s.hashChecks()) { // newest first
            if (c.sequence() <= lastCheck) {
                break;
            }
            newest = Math.max(newest, c.sequence());
            if (!c.passed()) {
                flashes++;
                lastFlashed = c.sourcePeers();
                Instant until = c.at().plus(FLASH);
                for (String peer : c.sourcePeers()) {
                    flashUntil.merge(peer, until, (a, b) -> a.isAfter(b) ? a : b);
                }
                if (c.fromOrigin() || until.isAfter(centreFlashUntil)) {
                    centreFlashUntil = until;
                }
            }
        }
        lastCheck = newest;
    }

    private double flashLeft(Instant until) {
        if (until == null || !until.isAfter(at)) {
            return 0;
        }
        return Math.min(1, (double) Duration.between(at, until).toMillis() / FLASH.toMillis());
    }

    /**
     * Picks the peer drawn nearest to ({@code x}, {@code y}) in unit coordinates, within
     * {@code radius}; its details then show. Returns its id, or null when none is that near.
     */
    public String pick(double x, double y, double radius) {
        Placed best = null;
        double bestDistance = radius;
        for (Placed p : placed) {
            double d = Math.hypot(p.x() - x, p.y() - y);
            if (d <= bestDistance) {
                best = p;
                bestDistance = d;
            }
        }
        selected = best == null ? null : best.peer().peerId();
        if (selected == null) {
            details.set("Click a peer for its details.");
        } else {
            describe(selected);
        }
        frame.set(frame.get() + 1);
        return selected;
    }

    private void describe(String peerId) {
        for (Placed p : placed) {
            PeerState s = p.peer();
            if (s.peerId().equals(peerId)) {
                details.set("Peer " + s.peerId()
                        + (s.role() == null ? "" : " (" + s.role().wireName() + ")")
                        + (s.place() == null ? "" : " in " + s.place())
                        + (s.matchReason() == null ? "" : ", matched: " + s.matchReason())
                        + " — " + s.state()
                        + (s.roundTrip() == null ? "" : ", round trip " + Formats.millis(s.roundTrip()))
                        + "; sent " + Formats.bytes(s.uploaded()) + " (" + Formats.rate(s.uploadRate()) + ")"
                        + ", received " + Formats.bytes(s.downloaded()) + " (" + Formats.rate(s.downloadRate()) + ")"
                        + (s.distrusted() ? "; DISTRUSTED: " + s.distrustReason() : ""));
                return;
            }
        }
        details.set("Peer " + peerId + " has gone.");
    }

    /** The peers as drawn, in their places. */
    public List<Placed> placed() {
        return placed;
    }

    /** This node's id, or empty before it has one. */
    public String self() {
        return self;
    }

    /** The peer picked last, or null. */
    public String selected() {
        return selected;
    }

    /** How strongly the centre flashes (0..1): any failed check lately. */
    public double centreFlash() {
        return centreFlash;
    }

    /** Failed hash checks that started a flash so far. */
    public long flashCount() {
        return flashes;
    }

    /** The peers whose bytes failed in the latest failed check (empty for the origin). */
    public List<String> lastFlashedPeers() {
        return lastFlashed;
    }

    /** Whether {@code peerId} is flashing in the picture now. */
    public boolean isFlashing(String peerId) {
        return placed.stream().anyMatch(p -> p.peer().peerId().equals(peerId) && p.flash() > 0);
    }

    /** The time of the snapshot drawn. */
    public Instant at() {
        return at;
    }

    /** While on, the picture stands still (snapshots are ignored, failed checks still counted). */
    public BooleanProperty pausedProperty() {
        return paused;
    }

    /** Counts changes to the picture: the view redraws on each. */
    public ReadOnlyLongProperty frameProperty() {
        return frame.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty detailsProperty() {
        return details.getReadOnlyProperty();
    }
}
