package io.swarmkeeper.monitor;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One node's state at one moment, as {@link NodeMonitor#snapshot()} took it: plain immutable
 * values that a window (or a test) reads at leisure, on any thread.
 *
 * @param at when it was taken
 * @param peers the peers linked now and those that left a short while ago, in the order they were first seen
 * @param transfers live transfers first (oldest first), then finished and failed ones, newest first
 * @param hashChecks the latest hash checks, newest first
 * @param upload bytes uploaded per second over the last minutes
 * @param download bytes downloaded per second over the last minutes
 * @param servedToday bytes uploaded since local midnight
 * @param servedTotal bytes uploaded in all (those served before the monitor started included, when it was told them)
 * @param downloadedTotal bytes downloaded since the monitor started
 * @param store the store's use against its quota, or null when no store was given
 * @param peersNotShown peers left out because the table was full (a bound, not expected in practice)
 */
public record NodeSnapshot(Instant at, SignalingState signaling, List<PeerState> peers, List<TransferState> transfers,
                           List<HashCheckEntry> hashChecks, long checksPassed, long checksFailed, RateSeries upload,
                           RateSeries download, long servedToday, long servedTotal, long downloadedTotal,
                           StoreUse store, long peersNotShown) {

    /** How the node stands with the signaling server. */
    public enum SignalingKind {
        /** No word yet. */
        STARTING,
        /** Welcomed, with an id. */
        CONNECTED,
        /** The connection was lost; the next try is at {@code retryAt}. */
        RECONNECTING,
        /** The server refused us ({@code reason} says why); the next try is at {@code retryAt}, if any. */
        REFUSED,
        /** Down, with no retry planned (the node closed, or could not start). */
        DISCONNECTED
    }

    /**
     * @param server the signaling server's URL, when known
     * @param peerId the node's id (the current one when connected, the last one otherwise)
     * @param reason why it is not connected
     * @param retryAt the next try, or null
     * @param since when this state began
     */
    public record SignalingState(SignalingKind kind, String server, String peerId, String reason, Instant retryAt,
                                 Instant since) {
        static final SignalingState STARTING = new SignalingState(SignalingKind.STARTING, null, null, null, null, null);
    }

    /**
     * One peer as this node knows it.
     *
     * @param role its role, or null when no one said
     * @param matchReason why the server matched us, or null
     * @param linked whether a link with it is open now
     * @param state "linked", or why it left
     * @param connectedSince when its first open link opened
     * @param roundTrip the round-trip time when measured, or null
     * @param uploaded bytes sent to it
     * @param downloaded bytes received from it
     * @param uploadRate bytes per second sent to it lately
     * @param downloadRate bytes per second received from it lately
     * @param distrusted whether it was caught (bad bytes, broken protocol, stalls)
     * @param distrustReason why, or null
     * @param leftAt when its last link closed, or null while linked
     * @param fade 1 while linked, going down to 0 as the time since it left nears {@link NodeMonitor#FADE_AFTER}
     */
    public record PeerState(String peerId, PeerRole role, String matchReason, boolean linked, String state,
                            Instant connectedSince, Duration roundTrip, long uploaded, long downloaded, long uploadRate,
                            long downloadRate, boolean distrusted, String distrustReason, Instant leftAt, double fade,
                            String place) {}

    /** Where a transfer stands. */
    public enum TransferPhase { LIVE, FINISHED, FAILED }

    /**
     * One transfer with one peer: one range of a resource, as the transfer protocol asks for them.
     *
     * @param serial tells transfers apart (counts them from 1)
     * @param speed bytes per second since it started (or over its whole life once over)
     * @param failure why it failed, or null
     */
    public record TransferState(long serial, String peerId, ResourceId id, Direction direction, long doneBytes, long totalBytes,
                                long speed, TransferPhase phase, String failure, Instant started, Instant updated) {
        /** Done as a fraction of the total, 0..1 (1 when the total is unknown and it finished). */
        public double progress() {
            if (totalBytes <= 0) {
                return phase == TransferPhase.FINISHED ? 1 : 0;
            }
            return Math.min(1.0, (double) doneBytes / totalBytes);
        }
    }

    /**
     * One hash check.
     *
     * @param sequence counts the checks this monitor saw, from 1: a view tells new ones from old by it
     * @param source "origin", "peer:ID" or "peers:ID,ID" as the event gave it
     * @param sourcePeers the peers that sent the bytes (empty when they came from the origin)
     * @param expected the hash the bytes should have (the resource's id)
     * @param actual the hash they had, when the event says it; null otherwise
     * @param detail what the event said besides, or null
     * @param observer the node that checked
     */
    public record HashCheckEntry(long sequence, Instant at, ResourceId id, String source, List<String> sourcePeers,
                                 String expected, String actual, boolean passed, String detail, String observer) {
        public boolean fromOrigin() {
            return sourcePeers.isEmpty();
        }
    }

    /** The store's bytes against its quota (0: none). */
    public record StoreUse(long usedBytes, long quotaBytes) {}

    /**
     * Bytes per second over consecutive seconds, the last ending at {@code lastSecond} (epoch second).
     * Immutable: a copy of the monitor's ring.
     */
    public static final class RateSeries {
        private final long[] bytes;
        private final long lastSecond;
        private final long firstCounted;

        RateSeries(long[] bytes, long lastSecond, long firstCounted) {
            this.bytes = bytes;
            this.lastSecond = lastSecond;
            this.firstCounted = firstCounted;
        }

        /** The epoch second the monitor started counting: the seconds before it are unknown, not idle. */
        public long firstCounted() {
            return firstCounted;
        }

        /** How many seconds it covers. */
        public int size() {
            return bytes.length;
        }

        /** Bytes in the {@code i}-th second, 0 the oldest. */
        public long get(int i) {
            return bytes[i];
        }

        /** The epoch second of the newest value. */
        public long lastSecond() {
            return lastSecond;
        }

        /** The mean over the newest {@code seconds} complete seconds (the current one left out). */
        public long recentMean(int seconds) {
            int n = Math.min(seconds, bytes.length - 1);
            if (n <= 0) {
                return 0;
            }
            long sum = 0;
            for (int i = bytes.length - 1 - n; i < bytes.length - 1; i++) {
                sum += bytes[i];
            }
            return sum / n;
        }

        /** The largest value. */
        public long max() {
            long max = 0;
            for (long b : bytes) {
                max = Math.max(max, b);
            }
            return max;
        }
    }
}
