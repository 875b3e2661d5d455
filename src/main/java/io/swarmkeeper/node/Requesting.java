package io.swarmkeeper.node;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.transfer.RateLimiter;
import io.swarmkeeper.transfer.TransferClient;
import io.swarmkeeper.transfer.TransferProtocolException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's fetching role, shared by every {@link Fetcher} made on the node: the transfer clients
 * on the links it offered, the matches it waits for, the peers it distrusts (one peer, one
 * memory: a holder caught lying to one fetch is not asked by the next), the stalls it counts,
 * and its download cap.
 */
final class Requesting {
    private static final Logger log = LoggerFactory.getLogger(Requesting.class);
    static final int STRIKES_TO_DISTRUST = 2;
    /** Strikes are forgotten after ten minutes: a busy moment is not a pattern. */
    static final long STRIKE_MEMORY_NANOS = 600_000_000_000L;

    private final Node node;
    private final Map<PeerLink, TransferClient> clients = new ConcurrentHashMap<>();
    private final Set<String> distrusted = ConcurrentHashMap.newKeySet();
    /** Recent stalls, by peer; {@link #STRIKES_TO_DISTRUST} within {@link #STRIKE_MEMORY_NANOS} and it is distrusted. */
    private final Map<String, Deque<Long>> strikes = new ConcurrentHashMap<>();
    private final RateLimiter downloadRate = RateLimiter.unlimited();

    /** A want waiting for its match. */
    private record Waiting(String hash, CompletableFuture<Message.Match> match) {}

    private final List<Waiting> waiting = new CopyOnWriteArrayList<>();

    Requesting(Node node) {
        this.node = node;
    }

    PeerLinks.Handler handler() {
        return new Downloading();
    }

    RateLimiter downloadRate() {
        return downloadRate;
    }

    /** The transfer client on {@code link}, once it opened; null otherwise. */
    TransferClient client(PeerLink link) {
        return clients.get(link);
    }

    boolean isDistrusted(String peer) {
        return distrusted.contains(peer);
    }

    Set<String> distrusted() {
        return Set.copyOf(distrusted);
    }

    /** Counts a stall of {@code peer}; returns its stalls within the memory. */
    int strike(String peer) {
        long now = System.nanoTime();
        Deque<Long> times = strikes.computeIfAbsent(peer, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (!times.isEmpty() && now - times.peekFirst() > STRIKE_MEMORY_NANOS) {
                times.removeFirst();
            }
            return times.size();
        }
    }

    /**
     * Asks the signaling server for holders of {@code id} with {@code want} and waits for its
     * match; fails when the node is cut off, or the server does not answer within {@code timeout}.
     */
    List<Message.PeerInfo> askForHolders(ResourceId id, Message.Want want, Duration timeout) throws IOException {
        if (!node.isConnected()) {
            throw new IOException("not connected to the signaling server " + node.server());
        }
        Waiting w = new Waiting(id.text(), new CompletableFuture<>());
        waiting.add(w);
        try {
            node.send(want);
            return w.match().get(timeout.toMillis(), TimeUnit.MILLISECONDS).peers();
        } catch (TimeoutException e) {
            throw new IOException("signaling server did not answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            waiting.remove(w);
        }
    }

    /** A match: to each want of it that waits (follow-up matches for open wants find none, and are ignored). */
    void onMatch(Message.Match match) {
        for (Waiting w : waiting) {
            if (w.hash().equals(match.hash())) {
                w.match().complete(match);
            }
        }
    }

    void onDisconnected(String reason) {
        for (Waiting w : waiting) {
            w.match().completeExceptionally(new IOException("signaling " + reason));
        }
    }

    /**
     * Never use {@code peer} again, tell the signaling server, and say so in the events (as a
     * failed hash check too when {@code badBytes}).
     */
    void distrust(ResourceId id, String peer, String why, boolean badBytes) {
        if (!distrusted.add(peer)) {
            return;
        }
        log.warn("peer {} {} for {}; distrusted", peer, why, id.shortForm());
        if (badBytes) {
            node.events().publish(new SwarmEvent.HashCheck(Instant.now(), node.name(), id, "peer:" + peer, false, why));
        }
        node.events().publish(new SwarmEvent.PeerDistrusted(Instant.now(), node.name(), peer, id, why));
        node.send(new Message.Report(peer, id.text(), why));
    }

    /** What the fetching role does with the links the node offered. */
    private final class Downloading implements PeerLinks.Handler {
        @Override
        public void onOpen(PeerLink link, Duration roundTrip) {
            TransferClient client = new TransferClient(link.remoteId(), link::send, node.transfers());
            if (roundTrip == null) {
                // libwebrtc did not say: the first request's answer will.
                client.onFirstAnswer(rtt -> node.events().publish(
                        new SwarmEvent.RoundTrip(Instant.now(), node.name(), link.remoteId(), rtt)));
            }
            clients.put(link, client);
        }

        @Override
        public void onMessage(PeerLink link, byte[] message) {
            TransferClient client = clients.get(link);
            if (client == null) {
                return;
            }
            try {
                client.onMessage(message);
            } catch (TransferProtocolException e) {
                // The download it was serving drops it too and names the resource; this covers strays.
                if (distrusted.add(link.remoteId())) {
                    log.warn("peer {} broke the transfer protocol ({}); dropping it", link.remoteId(), e.getMessage());
                    node.send(new Message.Report(link.remoteId(), null, "broke the transfer protocol: " + e.getMessage()));
                }
                link.close();
            }
        }

        @Override
        public void onClosed(PeerLink link, String reason) {
            TransferClient client = clients.remove(link);
            if (client != null) {
                client.onClosed(reason);
            }
        }
    }
}
