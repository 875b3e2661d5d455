package io.swarmkeeper.gui.hashchecks;

import io.swarmkeeper.gui.SnapshotView;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.monitor.NodeSnapshot;
import io.swarmkeeper.monitor.NodeSnapshot.HashCheckEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/** The hash checks table: the latest checks, newest first, filtered by result and by peer. FX thread. */
public final class HashChecksModel implements SnapshotView {
    /** Which results are shown. */
    public enum Result {
        ALL("All results"), PASSED("Passed"), FAILED("Failed");

        private final String label;

        Result(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final ObservableList<HashCheckEntry> all = FXCollections.observableArrayList();
    private final FilteredList<HashCheckEntry> shown = new FilteredList<>(all);
    private final ObjectProperty<Result> result = new SimpleObjectProperty<>(Result.ALL);
    private final StringProperty peer = new SimpleStringProperty("");
    private long lastSequence;

    public HashChecksModel() {
        result.addListener((o, was, now) -> refilter());
        peer.addListener((o, was, now) -> refilter());
    }

    private void refilter() {
        Result r = result.get();
        String p = peer.get() == null ? "" : peer.get().trim().toLowerCase(Locale.ROOT);
        shown.setPredicate(c -> (r == Result.ALL || c.passed() == (r == Result.PASSED))
                && (p.isEmpty() || c.sourcePeers().stream().anyMatch(id -> id.toLowerCase(Locale.ROOT).contains(p))
                        || ("origin".startsWith(p) && c.fromOrigin())));
    }

    @Override
    public void show(NodeSnapshot snapshot) {
        List<HashCheckEntry> fresh = new ArrayList<>();
        for (HashCheckEntry c : snapshot.hashChecks()) { // newest first
            if (c.sequence() <= lastSequence) {
                break;
            }
            fresh.add(c);
        }
        if (fresh.isEmpty()) {
            return;
        }
        lastSequence = fresh.get(0).sequence();
        all.addAll(0, fresh);
        if (all.size() > NodeMonitor.MAX_HASH_CHECKS_SHOWN) {
            all.remove(NodeMonitor.MAX_HASH_CHECKS_SHOWN, all.size());
        }
    }

    public ObservableList<HashCheckEntry> rows() {
        return shown;
    }

    public ObservableList<HashCheckEntry> allRows() {
        return all;
    }

    public ObjectProperty<Result> resultProperty() {
        return result;
    }

    /** Shows only checks of bytes from peers whose id contains this ("origin": from the origin); empty: all. */
    public StringProperty peerProperty() {
        return peer;
    }
}
