package io.swarmkeeper.node;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Instant;

/**
 * What a node reports about itself, for the GUI, logs and tests. Events are facts about the past,
 * delivered on the thread where they happened: listeners copy and return.
 */
public sealed interface SwarmEvent {
    Instant at();

    /** The node's link to the signaling server came up or went down. */
    record Connection(Instant at, String server, String peerId, boolean connected) implements SwarmEvent {}

    /**
     * A WebRTC link to another peer opened. {@code matchReason}: why the signaling server matched
     * us (its ranking's words, e.g. "random"); null from a server that does not say.
     */
    record PeerLinked(Instant at, String peerId, boolean weOffered, String matchReason) implements SwarmEvent {}

    /** A WebRTC link to another peer closed. */
    record PeerUnlinked(Instant at, String peerId, String reason) implements SwarmEvent {}

    /** A transfer moved on; {@code finished} with a null {@code failure} means done (and, down, verified). */
    record Transfer(Instant at, String peerId, ResourceId id, Direction direction, long doneBytes, long totalBytes,
                    boolean finished, String failure) implements SwarmEvent {}

    /** Bytes were hashed against their id. {@code source} is "peer:ID" or "origin". */
    record HashCheck(Instant at, ResourceId id, String source, boolean passed, String detail) implements SwarmEvent {}

    /**
     * A peer will not be used again: it sent bytes that failed their hash, broke the transfer
     * protocol, or stalled too often ({@code reason}); the signaling server was told.
     */
    record PeerDistrusted(Instant at, String peerId, ResourceId id, String reason) implements SwarmEvent {}

    /** The link to the signaling server is down; the next attempt is at {@code retryAt}. */
    record SignalingRetry(Instant at, String server, String reason, Instant retryAt) implements SwarmEvent {}

    /** A resource left the store: {@code why} is evicted, corrupt, missing or removed. */
    record Dropped(Instant at, ResourceId id, long size, String why) implements SwarmEvent {}

    /**
     * A resource the seeder's manifest lists is not in its store (lost to damage or deletion, or
     * never fetched) and will be fetched from peers or its origin at {@code nextTry}.
     * {@code attempt} counts the tries so far (0: none yet); {@code why} is the loss or the last
     * failure.
     */
    record Refetching(Instant at, ResourceId id, String why, int attempt, Instant nextTry) implements SwarmEvent {}

    /**
     * The store's disk became full ({@code full}): the node fetches nothing new and keeps serving
     * what it holds; or it has room again and fetching resumes. {@code detail} is for people.
     */
    record DiskSpace(Instant at, boolean full, String detail) implements SwarmEvent {}

    /** The node now holds and announces this resource. */
    record Holding(Instant at, ResourceId id, long size) implements SwarmEvent {}
}
