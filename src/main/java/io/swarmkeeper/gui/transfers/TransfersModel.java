package io.swarmkeeper.gui.transfers;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.gui.SnapshotView;
import io.swarmkeeper.monitor.NodeSnapshot;
import io.swarmkeeper.monitor.NodeSnapshot.TransferPhase;
import io.swarmkeeper.monitor.NodeSnapshot.TransferState;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The transfers table's rows: live uploads and downloads, then those that finished or failed a
 * short while ago; filtered by where they stand. Rows are kept and updated in place. FX thread.
 */
public final class TransfersModel implements SnapshotView {
    /** Which transfers are shown. */
    public enum Filter {
        ALL("All"), LIVE("Live"), FINISHED("Finished"), FAILED("Failed");

        private final String label;

        Filter(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }

        boolean admits(TransferPhase phase) {
            return switch (this) {
                case ALL -> true;
                case LIVE -> phase == TransferPhase.LIVE;
                case FINISHED -> phase == TransferPhase.FINISHED;
                case FAILED -> phase == TransferPhase.FAILED;
            };
        }
    }

    /** Transfers shorter than this show no speed. */
    static final long MIN_MEASURED_MILLIS = 100;

    /** One transfer's row. */
    public static final class TransferRow {
        private final String peerId;
        private final ResourceId id;
        private final Direction direction;
        private final DoubleProperty progress = new SimpleDoubleProperty();
        private final StringProperty done = new SimpleStringProperty("");
        private final StringProperty speed = new SimpleStringProperty("");
        private final StringProperty state = new SimpleStringProperty("");
        private final ObjectProperty<TransferPhase> phase = new SimpleObjectProperty<>(TransferPhase.LIVE);
        private TransferState last;

        TransferRow(TransferState t) {
            this.peerId = t.peerId();
            this.id = t.id();
            this.direction = t.direction();
        }

        void update(TransferState t) {
            if (t.equals(last)) {
                return; // most transfers of a big swarm did not move since the last sample
            }
            last = t;
            progress.set(t.totalBytes() <= 0 && t.phase() == TransferPhase.LIVE ? -1 : t.progress());
            done.set(Formats.bytes(t.doneBytes()) + " of " + Formats.bytes(t.totalBytes()));
            // A range that went in a few milliseconds has no speed worth showing (it went into the link's buffer).
            long millis = java.time.Duration.between(t.started(), t.updated()).toMillis();
            speed.set(millis < MIN_MEASURED_MILLIS ? "—" : Formats.rate(t.speed()));
            state.set(switch (t.phase()) {
                case LIVE -> "live";
                case FINISHED -> t.direction() == Direction.DOWNLOAD ? "done, verified" : "done";
                case FAILED -> "failed: " + t.failure();
            });
            phase.set(t.phase());
        }

        public String peerId() {
            return peerId;
        }

        public ResourceId id() {
            return id;
        }

        public Direction direction() {
            return direction;
        }

        /** 0..1, or -1 while the total is unknown. */
        public ReadOnlyDoubleProperty progressProperty() {
            return progress;
        }

        public ReadOnlyStringProperty doneProperty() {
            return done;
        }

        public ReadOnlyStringProperty speedProperty() {
            return speed;
        }

        public ReadOnlyStringProperty stateProperty() {
            return state;
        }

        public ReadOnlyObjectProperty<TransferPhase> phaseProperty() {
            return phase;
        }
    }

    private final ObservableList<TransferRow> all = FXCollections.observableArrayList();
    private final FilteredList<TransferRow> shown = new FilteredList<>(all);
    private final ObjectProperty<Filter> filter = new SimpleObjectProperty<>(Filter.ALL);
    private Map<Long, TransferRow> byKey = new HashMap<>();

    public TransfersModel() {
        filter.addListener((o, was, now) -> refilter());
        refilter();
    }

    private void refilter() {
        Filter f = filter.get();
        shown.setPredicate(row -> f.admits(row.phase.get()));
    }

    @Override
    public void show(NodeSnapshot snapshot) {
        Map<Long, TransferRow> next = new HashMap<>();
        List<TransferRow> ordered = new ArrayList<>(snapshot.transfers().size());
        boolean changed = false;
        boolean phaseChanged = false;
        for (TransferState t : snapshot.transfers()) {
            Long key = t.serial();
            TransferRow row = byKey.get(key);
            if (row == null) {
                row = new TransferRow(t);
                changed = true;
            } else if (row.phase.get() != t.phase()) {
                phaseChanged = true;
            }
            row.update(t);
            next.put(key, row);
            ordered.add(row);
        }
        changed |= next.size() != byKey.size() || !ordered.equals(all);
        byKey = next;
        if (changed) {
            all.setAll(ordered);
        } else if (phaseChanged) {
            refilter();
        }
    }

    /** The rows the filter lets through. */
    public ObservableList<TransferRow> rows() {
        return shown;
    }

    /** Every row, whatever the filter. */
    public ObservableList<TransferRow> allRows() {
        return all;
    }

    public ObjectProperty<Filter> filterProperty() {
        return filter;
    }
}
