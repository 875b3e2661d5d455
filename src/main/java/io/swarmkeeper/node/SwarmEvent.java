package io.swarmkeeper.node;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a node reports about itself, for the GUI, logs and tests. Events are facts about the past,
 * delivered on the thread where they happened: listeners copy and return.
 *
 * <p>Every event names the node that observed it ({@link #node()}): its id at the signaling
 * server when it has one, else its label (see {@link Node#name()}). Several nodes may publish on
 * one stream (the demo's window shows what its visitors saw too), and a node's id may change
 * when it reconnects without getting its id back.
 */
public sealed interface SwarmEvent {
    Instant at();

    /** The node that observed this: its id at the signaling server, or its label while it has none. */
    String node();

    /** The node's link to the signaling server came up or went down. */
    record Connection(Instant at, String node, String server, String peerId, boolean connected) implements SwarmEvent {}

    /**
     * A WebRTC link to another peer opened. What the node knows of the other side: {@code role}
     * (from the match when we offered, from its signals when it did; null from a server that does
     * not say), {@code matchReason} (why the signaling server matched us, in its ranking's words,
     * e.g. "random"; null from a server that does not say), and {@code roundTrip}, the
     * connection's round-trip time from libwebrtc's statistics (null when they did not give it:
     * a {@link RoundTrip} may follow), and {@code place}, where the other side is (city and
     * country at most, from the match or its signals; null from a server without proximity
     * pairing, or when it does not know).
     */
    record PeerLinked(Instant at, String node, String peerId, boolean weOffered, PeerRole role, String matchReason,
                      Duration roundTrip, Message.Place place) implements SwarmEvent {
        public PeerLinked(Instant at, String node, String peerId, boolean weOffered, PeerRole role, String matchReason,
                          Duration roundTrip) {
            this(at, node, peerId, weOffered, role, matchReason, roundTrip, null);
        }
    }

    /**
     * How a link that a fetch made came up: each step's time since the fetch's {@code want}
     * ({@code want}, {@code match}, then the link's own: {@code created}, {@code description-created},
     * {@code description-sent}, {@code remote-description}, {@code ice-connected},
     * {@code dtls-connected}, {@code channel-open}), in the order they happened. Without a want
     * (a fetch for a second opinion) the steps count from {@code created}.
     */
    record LinkSetup(Instant at, String node, String peerId, List<Step> steps) implements SwarmEvent {
        public LinkSetup {
            steps = List.copyOf(steps);
        }

        public record Step(String name, Duration after) {}

        /** When {@code name} happened, or null when it did not. */
        public Duration after(String name) {
            return steps.stream().filter(s -> s.name().equals(name)).map(Step::after).findFirst().orElse(null);
        }
    }

    /**
     * The round-trip time to a linked peer, measured as the time from our first request on the
     * link to the holder's first answer; published only for links whose {@link PeerLinked} could
     * not say it.
     */
    record RoundTrip(Instant at, String node, String peerId, Duration roundTrip) implements SwarmEvent {}

    /** A WebRTC link to another peer closed (one we offered, or one we answered). */
    record PeerUnlinked(Instant at, String node, String peerId, boolean weOffered, String reason) implements SwarmEvent {}

    /** A transfer moved on; {@code finished} with a null {@code failure} means done (and, down, verified). */
    record Transfer(Instant at, String node, String peerId, ResourceId id, Direction direction, long doneBytes,
                    long totalBytes, boolean finished, String failure) implements SwarmEvent {}

    /** Bytes were hashed against their id. {@code source} is "peer:ID", "peers:ID,ID" or "origin". */
    record HashCheck(Instant at, String node, ResourceId id, String source, boolean passed, String detail)
            implements SwarmEvent {}

    /**
     * A peer will not be used again: it sent bytes that failed their hash, broke the transfer
     * protocol, or stalled too often ({@code reason}); the signaling server was told.
     */
    record PeerDistrusted(Instant at, String node, String peerId, ResourceId id, String reason) implements SwarmEvent {}

    /**
     * The link to the signaling server is down; the next attempt is at {@code retryAt}. Published
     * when the link is lost and again after each attempt that failed, with its reason (a refusal
     * says "refused us" and the server's words).
     */
    record SignalingRetry(Instant at, String node, String server, String reason, Instant retryAt) implements SwarmEvent {}

    /** A resource left the store: {@code why} is evicted, corrupt, missing or removed. */
    record Dropped(Instant at, String node, ResourceId id, long size, String why) implements SwarmEvent {}

    /**
     * A resource the seeder's manifest lists is not in its store (lost to damage or deletion, or
     * never fetched) and will be fetched from peers or its origin at {@code nextTry}.
     * {@code attempt} counts the tries so far (0: none yet); {@code why} is the loss or the last
     * failure.
     */
    record Refetching(Instant at, String node, ResourceId id, String why, int attempt, Instant nextTry)
            implements SwarmEvent {}

    /**
     * The store's disk became full ({@code full}): the node fetches nothing new and keeps serving
     * what it holds; or it has room again and fetching resumes. {@code detail} is for people.
     */
    record DiskSpace(Instant at, String node, boolean full, String detail) implements SwarmEvent {}

    /** The node now holds and announces this resource. */
    record Holding(Instant at, String node, ResourceId id, long size) implements SwarmEvent {}

    /**
     * A manifest was read, at start or on a refresh. {@code source} is its file or URL;
     * {@code resources} how many it lists now; {@code added} and {@code removed} how many joined
     * and left it since the last good reading (the first reading adds all). {@code failure}, when
     * not null, says why this reading failed (could not be loaded, or its signature did not
     * verify): the last good reading stays in force, and the counts are its own with nothing
     * added or removed.
     */
    record ManifestRead(Instant at, String node, String source, int resources, int added, int removed,
                        String failure) implements SwarmEvent {}

    /**
     * A resource is no longer announced: it left every manifest that listed it. It stays in the
     * store (and is served to a peer that asks) until it is evicted.
     */
    record Withdrawn(Instant at, String node, ResourceId id, String why) implements SwarmEvent {}
}
