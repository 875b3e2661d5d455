package io.swarmkeeper.gui;

import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import javafx.application.Platform;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * What the window shows, as observable state, fed by a node's event stream. Events may come from
 * any thread; state changes only on the FX thread.
 */
public final class SwarmView {
    static final int MAX_LOG_LINES = 500;
    /** Peers that left stay listed for a while; beyond this many, the oldest gone ones go. */
    static final int MAX_GONE_ROWS = 20;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** One row of the peers table. */
    public static final class PeerRow {
        private final String peerId;
        private final StringProperty state = new SimpleStringProperty("linked");
        private final StringProperty matchReason = new SimpleStringProperty("");
        private final LongProperty uploaded = new SimpleLongProperty();
        private final LongProperty downloaded = new SimpleLongProperty();
        /** The links open with this peer: one we offered, one it offered, or both (a seeder fetching from a seeder). */
        private final java.util.Set<Boolean> linksWeOffered = new java.util.HashSet<>();
        private boolean gone;

        PeerRow(String peerId) {
            this.peerId = peerId;
        }

        public String peerId() {
            return peerId;
        }

        public StringProperty stateProperty() {
            return state;
        }

        /** Why the server matched us with this peer; empty when it did not say. */
        public StringProperty matchReasonProperty() {
            return matchReason;
        }

        public LongProperty uploadedProperty() {
            return uploaded;
        }

        public LongProperty downloadedProperty() {
            return downloaded;
        }
    }

    private final StringProperty connection = new SimpleStringProperty("Starting…");
    private final ObservableList<PeerRow> peers = FXCollections.observableArrayList();
    private final ObservableList<String> log = FXCollections.observableArrayList();
    private final Map<String, PeerRow> rowsById = new HashMap<>();
    private final LongProperty hashChecksPassed = new SimpleLongProperty();
    private final LongProperty hashChecksFailed = new SimpleLongProperty();

    /** Takes an event from any thread. */
    public void accept(SwarmEvent event) {
        if (Platform.isFxApplicationThread()) {
            apply(event);
        } else {
            Platform.runLater(() -> apply(event));
        }
    }

    public StringProperty connectionProperty() {
        return connection;
    }

    public ObservableList<PeerRow> peers() {
        return peers;
    }

    public ObservableList<String> log() {
        return log;
    }

    public LongProperty hashChecksPassedProperty() {
        return hashChecksPassed;
    }

    public LongProperty hashChecksFailedProperty() {
        return hashChecksFailed;
    }

    /** Shown while the swarm is starting or when it failed to. */
    public void setStatus(String text) {
        if (Platform.isFxApplicationThread()) {
            connection.set(text);
        } else {
            Platform.runLater(() -> connection.set(text));
        }
    }

    private void apply(SwarmEvent event) {
        if (event instanceof SwarmEvent.Connection c) {
            connection.set(c.connected()
                    ? "Connected to " + c.server() + " as " + c.peerId()
                    : "Disconnected from " + c.server());
            line(event, c.connected() ? "connected as " + c.peerId() : "disconnected");
        } else if (event instanceof SwarmEvent.PeerLinked p) {
            PeerRow row = rowsById.computeIfAbsent(p.peerId(), id -> {
                PeerRow created = new PeerRow(id);
                peers.add(created);
                return created;
            });
            row.state.set("linked");
            row.matchReason.set(p.matchReason() == null ? "" : p.matchReason());
            row.linksWeOffered.add(p.weOffered());
            row.gone = false;
            line(event, "peer " + p.peerId() + " linked" + (p.matchReason() == null ? "" : " (matched: " + p.matchReason() + ")"));
        } else if (event instanceof SwarmEvent.PeerUnlinked p) {
            PeerRow row = rowsById.get(p.peerId());
            if (row != null && row.linksWeOffered.remove(p.weOffered()) && row.linksWeOffered.isEmpty()) {
                row.state.set("gone: " + p.reason());
                row.gone = true;
                pruneGoneRows();
            }
            line(event, "peer " + p.peerId() + " gone: " + p.reason());
        } else if (event instanceof SwarmEvent.Transfer t) {
            PeerRow row = rowsById.get(t.peerId());
            if (row != null && t.finished()) {
                (t.direction() == Direction.UPLOAD ? row.uploaded : row.downloaded).set(
                        (t.direction() == Direction.UPLOAD ? row.uploaded : row.downloaded).get() + t.doneBytes());
            }
            if (t.finished()) {
                String verb = t.direction() == Direction.UPLOAD ? "sent" : "received";
                line(event, t.failure() == null
                        ? verb + " " + t.id().shortForm() + " (" + t.doneBytes() + " bytes) " + (t.direction() == Direction.UPLOAD ? "to " : "from ") + t.peerId()
                        : "transfer of " + t.id().shortForm() + " with " + t.peerId() + " failed: " + t.failure());
            }
        } else if (event instanceof SwarmEvent.HashCheck h) {
            (h.passed() ? hashChecksPassed : hashChecksFailed).set((h.passed() ? hashChecksPassed : hashChecksFailed).get() + 1);
            line(event, "hash check " + (h.passed() ? "passed" : "FAILED") + ": " + h.id().shortForm() + " from " + h.source());
        } else if (event instanceof SwarmEvent.Holding h) {
            line(event, "holding " + h.id().shortForm() + " (" + h.size() + " bytes)");
        } else if (event instanceof SwarmEvent.Dropped d) {
            line(event, "dropped " + d.id().shortForm() + " (" + d.why() + ")");
        } else if (event instanceof SwarmEvent.DiskSpace d) {
            line(event, d.full() ? "DISK FULL (" + d.detail() + "): fetching nothing new, still serving what is stored"
                    : "disk has room again (" + d.detail() + "): fetching resumes");
        } else if (event instanceof SwarmEvent.Refetching r) {
            line(event, (r.attempt() == 0 ? "will fetch " + r.id().shortForm() + " again (" + r.why() + ")"
                    : "could not fetch " + r.id().shortForm() + " again: " + r.why())
                    + "; next try at " + LocalTime.ofInstant(r.nextTry(), ZoneId.systemDefault()).format(TIME));
        } else if (event instanceof SwarmEvent.SignalingRetry r) {
            line(event, "signaling lost (" + r.reason() + "); next try at " + r.retryAt());
        } else if (event instanceof SwarmEvent.PeerDistrusted d) {
            PeerRow row = rowsById.get(d.peerId());
            if (row != null) {
                row.state.set("distrusted");
            }
            line(event, "peer " + d.peerId() + " DISTRUSTED: " + d.reason());
        }
    }

    private void pruneGoneRows() {
        long goneCount = peers.stream().filter(r -> r.gone).count();
        for (var it = peers.iterator(); it.hasNext() && goneCount > MAX_GONE_ROWS; ) {
            PeerRow row = it.next();
            if (row.gone) {
                it.remove();
                rowsById.remove(row.peerId);
                goneCount--;
            }
        }
    }

    private void line(SwarmEvent event, String text) {
        log.add(0, LocalTime.ofInstant(event.at(), ZoneId.systemDefault()).format(TIME) + "  " + text);
        if (log.size() > MAX_LOG_LINES) {
            log.remove(MAX_LOG_LINES, log.size());
        }
    }
}
