package io.swarmkeeper.gui.overview;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.SnapshotView;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.monitor.NodeSnapshot;
import io.swarmkeeper.monitor.NodeSnapshot.SignalingKind;
import io.swarmkeeper.monitor.NodeSnapshot.SignalingState;
import java.time.Duration;
import java.time.Instant;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** The overview's state: how the node stands, in sentences, and its rates for the chart. FX thread. */
public final class OverviewModel implements SnapshotView {
    /** What a failed hash check means, for someone who sees one and worries. */
    public static final String FAILURE_MEANING = "A failed check means someone sent bytes that did not match the"
            + " resource's hash. A peer caught lying is good news: its bytes were dropped, the peer is no longer"
            + " used, and the resource came from elsewhere.";

    private final StringProperty signaling = new SimpleStringProperty("Starting…");
    private final ObjectProperty<SignalingKind> signalingKind = new SimpleObjectProperty<>(SignalingKind.STARTING);
    private final StringProperty peers = new SimpleStringProperty("");
    private final StringProperty rates = new SimpleStringProperty("");
    private final StringProperty store = new SimpleStringProperty("");
    private final StringProperty served = new SimpleStringProperty("");
    private final StringProperty checks = new SimpleStringProperty("");
    private final ObjectProperty<NodeSnapshot.RateSeries> upload = new SimpleObjectProperty<>();
    private final ObjectProperty<NodeSnapshot.RateSeries> download = new SimpleObjectProperty<>();
    private long failedChecks;

    @Override
    public void show(NodeSnapshot s) {
        signaling.set(describe(s.signaling(), s.at()));
        signalingKind.set(s.signaling().kind());
        long linked = s.peers().stream().filter(NodeSnapshot.PeerState::linked).count();
        long distrusted = s.peers().stream().filter(NodeSnapshot.PeerState::distrusted).count();
        long left = s.peers().size() - linked;
        peers.set(linked + (linked == 1 ? " peer" : " peers") + " linked"
                + (left > 0 ? ", " + left + " left in the last " + Formats.span(NodeMonitor.FADE_AFTER) : "")
                + (distrusted > 0 ? ", " + distrusted + " distrusted" : ""));
        rates.set("up " + Formats.rate(s.upload().recentMean(5)) + ", down " + Formats.rate(s.download().recentMean(5))
                + " (last 5 s)");
        NodeSnapshot.StoreUse use = s.store();
        if (use == null) {
            store.set("no store");
        } else if (use.quotaBytes() <= 0) {
            store.set(Formats.bytes(use.usedBytes()) + " (no quota)");
        } else {
            store.set(Formats.bytes(use.usedBytes()) + " of " + Formats.bytes(use.quotaBytes()) + " ("
                    + Math.round(100.0 * use.usedBytes() / use.quotaBytes()) + " %)");
        }
        served.set(Formats.bytes(s.servedToday()) + " today, " + Formats.bytes(s.servedTotal()) + " in total");
        checks.set(s.checksPassed() + " passed, " + s.checksFailed() + " failed");
        failedChecks = s.checksFailed();
        download.set(s.download()); // before upload: the chart redraws when upload changes
        upload.set(s.upload());
    }

    /** The signaling state as a sentence, with the wait until the next try counted from {@code now}. */
    static String describe(SignalingState state, Instant now) {
        String server = state.server() == null ? "the signaling server" : state.server();
        String retry = state.retryAt() == null ? ""
                : "; trying again in " + Formats.span(Duration.between(now, state.retryAt()).plusMillis(999));
        return switch (state.kind()) {
            case STARTING -> "Connecting to the signaling server…";
            case CONNECTED -> "Connected to " + server + " as " + state.peerId();
            case RECONNECTING -> "Reconnecting to " + server + " (" + state.reason() + ")" + retry;
            case REFUSED -> "Refused by " + server + ": " + state.reason() + retry;
            case DISCONNECTED -> "Not connected to " + server + (state.reason() == null ? "" : ": " + state.reason());
        };
    }

    public ReadOnlyStringProperty signalingProperty() {
        return signaling;
    }

    public ReadOnlyObjectProperty<SignalingKind> signalingKindProperty() {
        return signalingKind;
    }

    public ReadOnlyStringProperty peersProperty() {
        return peers;
    }

    public ReadOnlyStringProperty ratesProperty() {
        return rates;
    }

    public ReadOnlyStringProperty storeProperty() {
        return store;
    }

    public ReadOnlyStringProperty servedProperty() {
        return served;
    }

    public ReadOnlyStringProperty checksProperty() {
        return checks;
    }

    public ReadOnlyObjectProperty<NodeSnapshot.RateSeries> uploadProperty() {
        return upload;
    }

    public ReadOnlyObjectProperty<NodeSnapshot.RateSeries> downloadProperty() {
        return download;
    }

    /** Whether any check failed so far. */
    public boolean anyFailed() {
        return failedChecks > 0;
    }
}
