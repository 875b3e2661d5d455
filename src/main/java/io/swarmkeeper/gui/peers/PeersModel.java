package io.swarmkeeper.gui.peers;

import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.SnapshotView;
import io.swarmkeeper.monitor.NodeSnapshot;
import io.swarmkeeper.monitor.NodeSnapshot.PeerState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The peers table's rows, one per peer, updated in place from each snapshot (so a selected row
 * stays selected); peers that left fade out and then go. FX thread.
 */
public final class PeersModel implements SnapshotView {
    /** One peer's row. */
    public static final class PeerRow {
        private final String peerId;
        private final StringProperty role = new SimpleStringProperty("");
        private final StringProperty matchReason = new SimpleStringProperty("");
        private final StringProperty place = new SimpleStringProperty("");
        private final StringProperty state = new SimpleStringProperty("");
        private final StringProperty connectedSince = new SimpleStringProperty("");
        private final StringProperty roundTrip = new SimpleStringProperty("");
        private final LongProperty uploaded = new SimpleLongProperty();
        private final LongProperty downloaded = new SimpleLongProperty();
        private final BooleanProperty distrusted = new SimpleBooleanProperty();
        private final StringProperty distrustReason = new SimpleStringProperty("");
        private final DoubleProperty fade = new SimpleDoubleProperty(1);
        private final BooleanProperty linked = new SimpleBooleanProperty();

        PeerRow(String peerId) {
            this.peerId = peerId;
        }

        void update(PeerState p) {
            role.set(p.role() == null ? "" : p.role().wireName());
            matchReason.set(p.matchReason() == null ? "" : p.matchReason());
            place.set(p.place() == null ? "" : p.place());
            state.set(p.state());
            connectedSince.set(Formats.clock(p.connectedSince()));
            roundTrip.set(Formats.millis(p.roundTrip()));
            uploaded.set(p.uploaded());
            downloaded.set(p.downloaded());
            distrusted.set(p.distrusted());
            distrustReason.set(p.distrustReason() == null ? "" : p.distrustReason());
            fade.set(p.fade());
            linked.set(p.linked());
        }

        /** Whether a link with it is open now. */
        public ReadOnlyBooleanProperty linkedProperty() {
            return linked;
        }

        public String peerId() {
            return peerId;
        }

        public ReadOnlyStringProperty roleProperty() {
            return role;
        }

        /** Where the signaling server placed the peer ("City, CC"), empty when it did not say. */
        public ReadOnlyStringProperty placeProperty() {
            return place;
        }

        public ReadOnlyStringProperty matchReasonProperty() {
            return matchReason;
        }

        public ReadOnlyStringProperty stateProperty() {
            return state;
        }

        public ReadOnlyStringProperty connectedSinceProperty() {
            return connectedSince;
        }

        public ReadOnlyStringProperty roundTripProperty() {
            return roundTrip;
        }

        public ReadOnlyLongProperty uploadedProperty() {
            return uploaded;
        }

        public ReadOnlyLongProperty downloadedProperty() {
            return downloaded;
        }

        public ReadOnlyBooleanProperty distrustedProperty() {
            return distrusted;
        }

        public ReadOnlyStringProperty distrustReasonProperty() {
            return distrustReason;
        }

        /** 1 while linked, down to 0 as a peer that left fades out. */
        public ReadOnlyDoubleProperty fadeProperty() {
            return fade;
        }
    }

    private final ObservableList<PeerRow> rows = FXCollections.observableArrayList();
    private final Map<String, PeerRow> byId = new HashMap<>();

    @Override
    public void show(NodeSnapshot snapshot) {
        Set<String> present = new HashSet<>();
        for (PeerState p : snapshot.peers()) {
            present.add(p.peerId());
            PeerRow row = byId.get(p.peerId());
            if (row == null) {
                row = new PeerRow(p.peerId());
                byId.put(p.peerId(), row);
                rows.add(row);
            }
            row.update(p);
        }
        if (byId.size() > present.size()) {
            rows.removeIf(r -> !present.contains(r.peerId()));
            byId.keySet().retainAll(present);
        }
    }

    public ObservableList<PeerRow> rows() {
        return rows;
    }

    /** The row of {@code peerId}, or null. */
    public PeerRow row(String peerId) {
        return byId.get(peerId);
    }
}
