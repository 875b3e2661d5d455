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
    /** Least progress a download must make in each idle window. */
    static final long MIN_BYTES_PER_WINDOW = 64 * 1024;

    private final Map<PeerLink, TransferClient> clients = new ConcurrentHashMap<>();
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
                            holder.id(), id.shortForm(), e.expected().text(), e.actual());
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
            throw new FetchException("no verified copy of " + id.text() + ": " + String.join("; ", reasons)
                    + "; no origin given");
        }
        try {
            OriginClient.Fetched fetched = origin.fetch(originUrl, id, stagingDir);
            events.publish(new SwarmEvent.HashCheck(Instant.now(), id, "origin", true, originUrl.toString()));
            return new FetchResult(id, fetched.file().size(), "origin", fetched.file(), fetched.mediaType());
        } catch (HashMismatchException e) {
            events.publish(new SwarmEvent.HashCheck(Instant.now(), id, "origin", false, e.getMessage()));
            throw new FetchException("no verified copy of " + id.text() + ": " + String.join("; ", reasons)
                    + "; origin sent bytes that failed the hash (got " + e.actual() + ")");
        } catch (IOException e) {
            throw new FetchException("no verified copy of " + id.text() + ": " + String.join("; ", reasons)
                    + "; origin failed: " + e.getMessage());
        }
    }

    private List<Message.PeerInfo> askForHolders(ResourceId id) throws IOException {
        CompletableFuture<Message.Match> match = new CompletableFuture<>();
        pendingMatches.put(id.text(), match);
        try {
            sendToServer(new Message.Want(id.text(), options.holdersToTry()));
            return match.get(options.matchTimeout().toMillis(), TimeUnit.MILLISECONDS).peers();
        } catch (TimeoutException e) {
            throw new IOException("signaling server did not answer within " + options.matchTimeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pendingMatches.remove(id.text(), match);
        }
    }

    private VerifiedFile fetchFromPeer(String peerId, ResourceId id) throws IOException {
        PeerLink link = links.offer(peerId);
        try {
            link.opened().get(links.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            TransferClient client = clients.get(link);
            if (client == null) {
                throw new IOException("link to " + peerId + " closed");
            }
            CompletableFuture<VerifiedFile> result = client.fetch(id, stagingDir, options.maxBytes());
            return awaitDownload(client, result);
        } catch (TimeoutException e) {
            throw new IOException("no connection to " + peerId);
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

    /**
     * Waits for a download while it keeps moving: each idle window must bring at least
     * {@link #MIN_BYTES_PER_WINDOW}, so that a holder trickling bytes cannot hold a fetch forever.
     */
    private VerifiedFile awaitDownload(TransferClient client, CompletableFuture<VerifiedFile> result)
            throws IOException, ExecutionException, InterruptedException {
        long windowNanos = options.transferIdleTimeout().toNanos();
        long windowStart = System.nanoTime();
        long bytesAtWindowStart = 0;
        while (true) {
            try {
                return result.get(250, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long received = client.received(result);
                if (received - bytesAtWindowStart >= MIN_BYTES_PER_WINDOW) {
                    windowStart = System.nanoTime();
                    bytesAtWindowStart = received;
                } else if (System.nanoTime() - windowStart > windowNanos) {
                    client.cancel(result);
                    if (result.isDone() && !result.isCompletedExceptionally()) {
                        return result.join(); // it finished just as we gave up
                    }
                    throw new IOException("too slow: under " + MIN_BYTES_PER_WINDOW + " bytes in "
                            + options.transferIdleTimeout().toSeconds() + " s");
                }
            }
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
        public void onDisconnected(String reason, Duration retryIn) {
            pendingMatches.values().forEach(f -> f.completeExceptionally(new IOException("signaling " + reason)));
        }
    }

    private final class Downloading implements PeerLinks.Handler {
        @Override
        public void onOpen(PeerLink link) {
            clients.put(link, new TransferClient(link.remoteId(), link::send, events));
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
                log.warn("peer {} broke the transfer protocol ({}); dropping it", link.remoteId(), e.getMessage());
                distrusted.add(link.remoteId());
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
