package io.swarmkeeper.monitor;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.monitor.NodeSnapshot.TransferPhase;
import io.swarmkeeper.monitor.NodeSnapshot.TransferState;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transfers a {@link NodeMonitor} lists: live ones (each range request its own row) and
 * finished or failed ones for {@link NodeMonitor#FINISHED_KEPT}, within the monitor's bounds.
 * Not thread-safe: used under the monitor's lock.
 */
final class TransferBoard {
    private final Map<TransferKey, List<TransferEntry>> liveTransfers = new LinkedHashMap<>();
    private int liveCount;
    private long transferSerial;
    private final ArrayDeque<TransferState> finishedTransfers = new ArrayDeque<>();

    /**
     * Transfer events name the peer, resource and direction but not the range, and a link carries
     * up to two ranges of one resource at once: a started event opens an entry, and each later
     * event goes to the entry of its kind with the most bytes at or below its own. Which range an
     * event belongs to may be guessed wrong, but no byte is counted twice or lost: the entries'
     * counts never run ahead of the ranges' true counts, so every event finds one at or below it.
     * Returns the bytes this event adds (for the rates and totals), counted even when too many
     * transfers are live to list this one.
     */
    long apply(SwarmEvent.Transfer t) {
        TransferKey key = new TransferKey(t.peerId(), t.id(), t.direction());
        List<TransferEntry> group = liveTransfers.get(key);
        TransferEntry transfer = null;
        boolean starts = !t.finished() && t.doneBytes() == 0;
        if (!starts && group != null) {
            for (TransferEntry e : group) {
                if (e.done <= t.doneBytes() && (transfer == null || e.done > transfer.done)) {
                    transfer = e;
                }
            }
        }
        long before = transfer == null ? 0 : transfer.done;
        long fresh = Math.max(0, t.doneBytes() - before);
        if (transfer == null) {
            if (liveCount >= NodeMonitor.MAX_LIVE_TRANSFERS) {
                return fresh; // too many at once to list each: counted, not shown
            }
            transfer = new TransferEntry(++transferSerial, t.peerId(), t.id(), t.direction(), t.at());
            if (group == null) {
                group = new ArrayList<>(2);
                liveTransfers.put(key, group);
            }
            group.add(transfer);
            liveCount++;
        }
        transfer.done = Math.max(transfer.done, t.doneBytes());
        transfer.total = t.totalBytes();
        transfer.updated = t.at();
        if (t.finished()) {
            group.remove(transfer);
            liveCount--;
            if (group.isEmpty()) {
                liveTransfers.remove(key);
            }
            if (finishedTransfers.size() >= NodeMonitor.MAX_FINISHED_TRANSFERS) {
                finishedTransfers.removeLast();
            }
            finishedTransfers.addFirst(transfer.state(t.failure() == null ? TransferPhase.FINISHED : TransferPhase.FAILED,
                    t.failure()));
        }
        return fresh;
    }

    /** The live transfers (those without news for {@link NodeMonitor#LIVE_STALE} dropped), then the finished ones still kept. */
    List<TransferState> states(Instant now) {
        List<TransferState> transfers = new ArrayList<>(liveCount + finishedTransfers.size());
        Instant staleBefore = now.minus(NodeMonitor.LIVE_STALE);
        for (Iterator<List<TransferEntry>> groups = liveTransfers.values().iterator(); groups.hasNext(); ) {
            List<TransferEntry> group = groups.next();
            for (Iterator<TransferEntry> it = group.iterator(); it.hasNext(); ) {
                TransferEntry t = it.next();
                if (t.updated.isBefore(staleBefore)) {
                    it.remove();
                    liveCount--;
                } else {
                    transfers.add(t.state(TransferPhase.LIVE, null));
                }
            }
            if (group.isEmpty()) {
                groups.remove();
            }
        }
        Instant keptAfter = now.minus(NodeMonitor.FINISHED_KEPT);
        while (!finishedTransfers.isEmpty() && finishedTransfers.peekLast().updated().isBefore(keptAfter)) {
            finishedTransfers.removeLast();
        }
        transfers.addAll(finishedTransfers);
        return Collections.unmodifiableList(transfers);
    }

    private record TransferKey(String peerId, ResourceId id, Direction direction) {}

    private static final class TransferEntry {
        final long serial;
        final String peerId;
        final ResourceId id;
        final Direction direction;
        final Instant started;
        long done;
        long total;
        Instant updated;

        TransferEntry(long serial, String peerId, ResourceId id, Direction direction, Instant started) {
            this.serial = serial;
            this.peerId = peerId;
            this.id = id;
            this.direction = direction;
            this.started = started;
            this.updated = started;
        }

        TransferState state(TransferPhase phase, String failure) {
            long millis = Duration.between(started, updated).toMillis();
            long speed = millis <= 0 ? 0 : done * 1000 / millis;
            return new TransferState(serial, peerId, id, direction, done, total, speed, phase, failure, started, updated);
        }
    }
}
