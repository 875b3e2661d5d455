package io.swarmkeeper.node;

import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import io.swarmkeeper.origin.OriginClient;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.transfer.TransferClient;
import io.swarmkeeper.transfer.TransferProtocolException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leecher: asks the signaling server who holds a resource, fetches it from one holder after
 * another over WebRTC until a copy verifies, and falls back to the origin. A holder whose bytes
 * fail the hash is distrusted for the life of this fetcher.
 */
public final class Fetcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    /** Settings of a fetcher. */
    public record Options(Duration matchTimeout, Duration transferIdleTimeout, long maxBytes, int holdersToTry) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(20), 1L << 31, 3);
        }
    }

    private final URI server;
    private final Options options;
    private final SwarmEvents events;
    private final OriginClient origin;
    private final Path stagingDir;
    private final Map<String, CompletableFuture<Message.Match>> pendingMatches = new ConcurrentHashMap<>();
    private final Map<String, TransferClient> clients = new ConcurrentHashMap<>();
    private final Set<String> distrusted = ConcurrentHashMap.newKeySet();
    private final PeerLinks links;
    private volatile SignalingClient signaling;

    /**
     * @param stagingDir where bytes wait while they are verified; null for the system temp dir
     */
    public Fetcher(URI server, Path stagingDir, Options options, SwarmEvents events) {
        this.server = server;
        this.stagingDir = stagingDir;
        this.options = options;
        this.events = events;
        this.origin = OriginClient.withDefaults();
        this.links = new PeerLinks(this::sendToServer, events, new Downloading());
    }

    /** Connects to the signaling server (done lazily by {@link #fetch} too). */
    public synchronized Fetcher connect() throws IOException {
        if (signaling == null || !signaling.isConnected()) {
            SignalingClient client = SignalingClient.connect(server, PeerRole.PEER, new Inbox(), Duration.ofSeconds(10));
            signaling = client;
            links.configure(LinkConfig.withIceServers(client.iceServers()));
            events.publish(new SwarmEvent.Connection(Instant.now(), server.toString(), client.id(), true));
        }
        return this;
    }

    public String peerId() {
        SignalingClient s = signaling;
        return s == null ? null : s.id();
    }

    /** Peers whose bytes failed verification. */
    public Set<String> distrusted() {
        return Set.copyOf(distrusted);
    }

    /**
     * Gets verified bytes of {@code id}: from peers first, then from {@code originUrl} when given.
     *
     * @throws FetchException with a one-line reason when no verified copy could be had
     */
    public FetchResult fetch(ResourceId id, URI originUrl) throws FetchException {
        List<String> reasons = new ArrayList<>();
        try {
            connect();
            for (Message.PeerInfo holder : askForHolders(id)) {
                if (distrusted.contains(holder.id())) {
                    continue;
                }
                try {
                    VerifiedFile file = fetchFromPeer(holder.id(), id);
                    events.publish(new SwarmEvent.HashCheck(Instant.now(), id, "peer:" + holder.id(), true, null));
                    return new FetchResult(id, file.size(), "peer:" + holder.id(), file, null);
                } catch (HashMismatchException e) {
                    distrusted.add(holder.id());
                    log.warn("peer {} sent bad bytes for {} (expected {}, got {}); distrusted",
                            holder.id(), id.shortForm(), e.expected().hex(), e.actualHex());
                    events.publish(new SwarmEvent.HashCheck(Instant.now(), id, "peer:" + holder.id(), false, e.getMessage()));
                    reasons.add("peer " + holder.id() + " sent bytes that failed the hash");
                } catch (IOException | RuntimeException e) {
                    log.info("peer {} could not deliver {}: {}", holder.id(), id.shortForm(), e.getMessage());
                    reasons.add("peer " + holder.id() + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            reasons.add(e.getMessage());
        }
        if (reasons.isEmpty()) {
            reasons.add("no peer holds it");
        }
        if (originUrl == null) {
            throw new FetchException("no verified copy of " + id.hex() + ": " + String.join("; ", reasons)
                    + "; no origin given");
        }
        try {
            OriginClient.Fetched fetched = origin.fetch(originUrl, id, stagingDir);
            events.publish(new SwarmEvent.HashCheck(Instant.now(), id, "origin", true, originUrl.toString()));
            return new FetchResult(id, fetched.file().size(), "origin", fetched.file(), fetched.mediaType());
        } catch (HashMismatchException e) {
            events.publish(new SwarmEvent.HashCheck(Instant.now(), id, "origin", false, e.getMessage()));
            throw new FetchException("no verified copy of " + id.hex() + ": " + String.join("; ", reasons)
                    + "; origin sent bytes that failed the hash (got " + e.actualHex() + ")");
        } catch (IOException e) {
            throw new FetchException("no verified copy of " + id.hex() + ": " + String.join("; ", reasons)
                    + "; origin failed: " + e.getMessage());
        }
    }

    private List<Message.PeerInfo> askForHolders(ResourceId id) throws IOException {
        CompletableFuture<Message.Match> match = new CompletableFuture<>();
        pendingMatches.put(id.hex(), match);
        try {
            sendToServer(new Message.Want(id.hex(), options.holdersToTry()));
            return match.get(options.matchTimeout().toMillis(), TimeUnit.MILLISECONDS).peers();
        } catch (TimeoutException e) {
            throw new IOException("signaling server did not answer within " + options.matchTimeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pendingMatches.remove(id.hex(), match);
        }
    }

    private VerifiedFile fetchFromPeer(String peerId, ResourceId id) throws IOException {
        PeerLink link = links.offer(peerId);
        try {
            awaitOpen(link);
            TransferClient client = clients.get(peerId);
            if (client == null) {
                throw new IOException("link to " + peerId + " closed");
            }
            CompletableFuture<VerifiedFile> result = client.fetch(id, stagingDir, options.maxBytes());
            ProgressWatch watch = new ProgressWatch(peerId, id);
            events.subscribe(watch);
            try {
                while (true) {
                    try {
                        return result.get(250, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        if (watch.idleFor().compareTo(options.transferIdleTimeout()) > 0) {
                            client.cancel(result);
                            throw new IOException("stalled for " + options.transferIdleTimeout().toSeconds() + " s");
                        }
                    }
                }
            } finally {
                events.unsubscribe(watch);
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            link.close();
        }
    }

    private static void awaitOpen(PeerLink link) throws IOException, InterruptedException {
        try {
            link.opened().get();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        links.closeAll();
        SignalingClient s = signaling;
        if (s != null) {
            s.close();
        }
    }

    private void sendToServer(Message message) {
        SignalingClient s = signaling;
        if (s != null) {
            s.send(message);
        }
    }

    /** Notes the last time a download from one peer made progress. */
    private static final class ProgressWatch implements java.util.function.Consumer<SwarmEvent> {
        private final String peerId;
        private final ResourceId id;
        private volatile long lastProgress = System.nanoTime();

        ProgressWatch(String peerId, ResourceId id) {
            this.peerId = peerId;
            this.id = id;
        }

        @Override
        public void accept(SwarmEvent event) {
            if (event instanceof SwarmEvent.Transfer t && t.peerId().equals(peerId) && t.id().equals(id)) {
                lastProgress = System.nanoTime();
            }
        }

        Duration idleFor() {
            return Duration.ofNanos(System.nanoTime() - lastProgress);
        }
    }

    private final class Inbox implements SignalingClient.Listener {
        @Override
        public void onMessage(Message message) {
            if (message instanceof Message.Match match) {
                CompletableFuture<Message.Match> pending = pendingMatches.get(match.hash());
                if (pending != null) {
                    pending.complete(match);
                }
            } else if (message instanceof Message.Signal signal && signal.from() != null) {
                links.onSignal(signal.from(), signal.data());
            } else if (message instanceof Message.PeerGone gone) {
                links.onPeerGone(gone.id());
            } else if (message instanceof Message.Error error) {
                log.warn("signaling server says {}: {}", error.code(), error.message());
            }
        }

        @Override
        public void onDisconnected(String reason) {
            pendingMatches.values().forEach(f -> f.completeExceptionally(new IOException("signaling " + reason)));
        }
    }

    private final class Downloading implements PeerLinks.Handler {
        @Override
        public void onOpen(PeerLink link) {
            clients.put(link.remoteId(), new TransferClient(link.remoteId(), link::send, events));
        }

        @Override
        public void onMessage(PeerLink link, byte[] message) {
            TransferClient client = clients.get(link.remoteId());
            if (client == null) {
                return;
            }
            try {
                client.onMessage(message);
            } catch (TransferProtocolException e) {
                log.warn("peer {} broke the transfer protocol ({}); dropping it", link.remoteId(), e.getMessage());
                distrusted.add(link.remoteId());
                link.close();
            }
        }

        @Override
        public void onClosed(PeerLink link, String reason) {
            TransferClient client = clients.remove(link.remoteId());
            if (client != null) {
                client.onClosed(reason);
            }
        }
    }
}
