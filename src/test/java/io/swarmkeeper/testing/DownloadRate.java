package io.swarmkeeper.testing;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Duration;
import java.util.List;

/**
 * The rate a download of a resource ran at, from the downloader's own events: the bytes of its
 * ranges that finished well, over the time from the first range's start to the last one's end
 * (so the link's setup does not count). Each range is a transfer of its own in the events.
 */
public final class DownloadRate {
    private DownloadRate() {}

    /** Bytes per second; fails when {@code events} hold no finished range of {@code id}. */
    public static double of(List<SwarmEvent> events, ResourceId id) {
        List<SwarmEvent.Transfer> ranges = events.stream()
                .filter(e -> e instanceof SwarmEvent.Transfer t && t.id().equals(id) && t.direction() == Direction.DOWNLOAD)
                .map(e -> (SwarmEvent.Transfer) e).toList();
        List<SwarmEvent.Transfer> finished = ranges.stream().filter(t -> t.finished() && t.failure() == null).toList();
        if (finished.isEmpty()) {
            throw new AssertionError("no range of " + id.shortForm() + " finished: " + ranges);
        }
        long bytes = finished.stream().mapToLong(SwarmEvent.Transfer::doneBytes).sum();
        Duration took = Duration.between(ranges.get(0).at(), finished.get(finished.size() - 1).at());
        return bytes / Math.max(took.toNanos() / 1e9, 1e-3);
    }

    /** The bytes of {@code id} that arrived in ranges that finished well. */
    public static long bytes(List<SwarmEvent> events, ResourceId id) {
        return events.stream().filter(e -> e instanceof SwarmEvent.Transfer t && t.id().equals(id)
                && t.direction() == Direction.DOWNLOAD && t.finished() && t.failure() == null)
                .mapToLong(e -> ((SwarmEvent.Transfer) e).doneBytes()).sum();
    }
}
