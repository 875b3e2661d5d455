package io.swarmkeeper.node;

import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.protocol.ProtocolException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's connection to the signaling server: says hello, learns its id and ICE servers, then
 * passes every message to its listener (on the socket's read thread: listeners hand off work).
 *
 * <p>With reconnection on, a lost connection is retried with exponential back-off and full
 * jitter, never sooner than a retry-after hint from the server; each new connection presents
 * the resume token of the last welcome, so the peer gets its id back when the server still
 * remembers it. The listener hears every welcome and re-announces what the peer holds.
 */
public final class SignalingClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignalingClient.class);
    /** The longest retry-after hint obeyed. */
    static final long MAX_RETRY_AFTER_MS = 5 * 60_000;

    /** What the client tells its owner. */
    public interface Listener {
        void onMessage(Message message);

        /** A connection was welcomed: the first one, or one after a reconnect. */
        default void onWelcome(SignalingClient client, Message.Welcome welcome) {}

        /** The connection is gone; with reconnection on, the next try comes in {@code retryIn}. */
        default void onDisconnected(String reason, Duration retryIn) {}

        /** A try to reconnect failed ({@code reason}: unreachable, refused and why); the next comes in {@code retryIn}. */
        default void onRetryFailed(String reason, Duration retryIn) {}
    }

    /**
     * How the client connects and reconnects. {@code token}, when not null, is presented as
     * {@code Authorization: Bearer <token>}: servers with {@code --peer-token} admit peers without
     * an Origin (this one) and seeders only with it.
     */
    public record Options(Duration connectTimeout, boolean reconnect, Duration backoffBase, Duration backoffCap,
                          Message.Coordinates coords, String token) {
        /** One connection, no reconnection: for one-shot commands. */
        public static Options once() {
            return new Options(Duration.ofSeconds(10), false, Duration.ofMillis(500), Duration.ofSeconds(30), null, null);
        }

        /** Reconnects for ever, 0.5 s to 30 s apart: for long-running peers. */
        public static Options persistent() {
            return new Options(Duration.ofSeconds(10), true, Duration.ofMillis(500), Duration.ofSeconds(30), null, null);
        }

        public Options withTimeout(Duration timeout) {
            return new Options(timeout, reconnect, backoffBase, backoffCap, coords, token);
        }

        public Options withBackoff(Duration base, Duration cap) {
            return new Options(connectTimeout, reconnect, base, cap, coords, token);
        }

        public Options withToken(String token) {
            return new Options(connectTimeout, reconnect, backoffBase, backoffCap, coords, token);
        }
    }

    private final URI server;
    private final PeerRole role;
    private final Listener listener;
    private final Options options;
    private final Backoff backoff;
    private final ScheduledExecutorService retries;
    private volatile Socket socket;
    private volatile Message.Welcome welcome;
    /** Frames waiting for the pace, in order. */
    private final java.util.ArrayDeque<Outgoing> outbox = new java.util.ArrayDeque<>();
    private boolean draining; // guarded by outbox
    /** How many of the waiting frames are conditional ({@link #sendWhile}). Guarded by {@link #outbox}. */
    private int conditionalWaiting;
    /** Conditional frames dropped because the queue was full (not counting stale ones). Guarded by {@link #outbox}. */
    private long droppedFull;
    /** Conditional frames dropped unsent because they had gone stale. Guarded by {@link #outbox}. */
    private long droppedStale;
    /**
     * Most conditional frames that may wait: at the pace of 45 a second, about 8 s of sending.
     * Beyond that, an answer would reach its offerer after the offerer gave up on it.
     */
    static final int MAX_CONDITIONAL_WAITING = 360;

    /** Frames sent only when nothing else waits ({@link #sendWhenIdle}), oldest first. Guarded by {@link #outbox}. */
    private final java.util.ArrayDeque<Outgoing> spare = new java.util.ArrayDeque<>();
    /** Most frames that wait for idle turns; the oldest goes first when more come. */
    static final int MAX_SPARE_WAITING = 64;

    /** A frame waiting for its turn; {@code wanted} null: it is sent whatever happens. */
    private record Outgoing(String frame, java.util.function.BooleanSupplier wanted) {
        boolean stale() {
            return wanted != null && !wanted.getAsBoolean();
        }
    }
    /** Messages per second towards the server; set from each welcome. Guarded by {@link #outbox}. */
    private io.swarmkeeper.transfer.RateLimiter pace = new io.swarmkeeper.transfer.RateLimiter(0, 1);
    private volatile boolean closing;
    private volatile long retryAfterMs;

    private SignalingClient(URI server, PeerRole role, Listener listener, Options options) {
        this.server = server;
        this.role = role;
        this.listener = listener;
        this.options = options;
        this.backoff = new Backoff(options.backoffBase(), options.backoffCap());
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "signaling-reconnect");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects once and waits for the server's welcome. */
    public static SignalingClient connect(URI server, PeerRole role, Listener listener, Duration timeout) throws IOException {
        return connect(server, role, listener, Options.once().withTimeout(timeout));
    }

    /**
     * Connects and waits for the first welcome; fails when that first connection fails. Later
     * losses are retried when {@code options.reconnect()} is on.
     */
    public static SignalingClient connect(URI server, PeerRole role, Listener listener, Options options) throws IOException {
        String scheme = server.getScheme();
        if (scheme == null || !(scheme.equals("ws") || scheme.equals("wss"))) {
            throw new IOException("signaling server URL must start with ws:// or wss://, got " + server);
        }
        SignalingClient client = new SignalingClient(server, role, listener, options);
        try {
            client.attempt();
        } catch (IOException e) {
            client.retries.shutdownNow();
            throw e;
        }
        return client;
    }

    /** One connection attempt: connect, hello, wait for welcome (or a refusal). */
    private void attempt() throws IOException {
        Message.Welcome last = welcome;
        Socket s = new Socket(server, options.token());
        socket = s;
        Duration timeout = options.connectTimeout();
        try {
            if (!s.connectBlocking(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                s.close();
                throw failure(s, "cannot reach signaling server " + server, null);
            }
            try {
                s.send(MessageCodec.encode(new Message.Hello(Message.PROTOCOL_VERSION, role, options.coords(),
                        last == null ? null : last.resume())));
            } catch (WebsocketNotConnectedException e) {
                throw failure(s, "signaling server " + server + " closed the connection", e);
            }
            Message.Welcome w = s.welcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            welcome = w;
            if (w.limits() != null && w.limits().maxMessagesPerSecond() > 0) {
                int perSecond = w.limits().maxMessagesPerSecond();
                int serverBurst = w.limits().messageBurst() == null ? perSecond / 2 : w.limits().messageBurst();
                // 90 % of the server's rate, in bursts of at most half of what it allows, so that
                // the hello and whatever the server counts besides fit too.
                synchronized (outbox) {
                    pace = new io.swarmkeeper.transfer.RateLimiter(Math.max(1, perSecond * 9L / 10),
                            Math.max(1, Math.min(20, serverBurst / 2)));
                }
            }
            backoff.reset();
            listener.onWelcome(this, w);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new IOException("interrupted while connecting to " + server, e);
        } catch (ExecutionException e) {
            s.close();
            throw failure(s, "signaling server " + server + " refused us: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            s.close();
            throw failure(s, "no welcome from signaling server " + server + " within " + timeout.toSeconds() + " s", e);
        }
    }

    /** How long a failed attempt waits for the close of a socket that had opened, so as not to miss the server's error. */
    static final long CLOSE_WAIT_MS = 2_000;

    /**
     * Why an attempt failed, in the server's words when it gave any. A server that refuses us
     * sends an {@code error} and then closes; Java-WebSocket reads both on the socket's own thread
     * (the error first) while this thread waits for the open or sends the hello, and either may
     * see the close before that error has been handled. So a socket that opened is waited for
     * until it has closed, by which time any error the server sent has been recorded; failing
     * that, the close code and reason the server gave are named.
     */
    private IOException failure(Socket s, String otherwise, Exception cause) {
        if (s.opened) {
            try {
                s.closed.get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // no close within the wait: say what we know
            }
        }
        Message.Error refusal = s.refusal;
        if (refusal != null) {
            return new IOException("signaling server " + server + " refused us: " + describe(refusal), cause);
        }
        String closedBy = s.closedBy;
        if (closedBy != null) {
            return new IOException("signaling server " + server + " closed the connection (" + closedBy + ")", cause);
        }
        return new IOException(otherwise, cause);
    }

    /** An error from the server for people: its code, its message, and how long to wait when it says. */
    static String describe(Message.Error error) {
        return error.code() + ": " + error.message()
                + (error.retryAfterMs() != null ? " (retry after " + error.retryAfterMs() + " ms)" : "");
    }

    /** The wait before the next try: the back-off, or the server's retry-after hint if longer. */
    private Duration nextWait() {
        Duration wait = backoff.next();
        // Obey the server's hint, within reason: a broken or hostile server cannot park us for hours.
        long hint = Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
        retryAfterMs = 0;
        return hint > wait.toMillis() ? Duration.ofMillis(hint) : wait;
    }

    private void scheduleRetry(Duration wait) {
        try {
            retries.schedule(() -> {
                if (closing) {
                    return;
                }
                try {
                    attempt();
                    log.info("reconnected to {} as {}{}", server, welcome.id(),
                            Boolean.TRUE.equals(welcome.resumed()) ? " (id resumed)" : "");
                } catch (IOException e) {
                    Duration next = nextWait();
                    log.info("reconnect to {} failed ({}); next try in {} ms", server, e.getMessage(), next.toMillis());
                    listener.onRetryFailed(e.getMessage(), next);
                    scheduleRetry(next);
                }
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** The id the server gave us (the latest one, after reconnects). */
    public String id() {
        Message.Welcome w = welcome;
        return w == null ? null : w.id();
    }

    /** Hashes one {@code have} or {@code lost} may carry, as the server's welcome says (1,000 if it did not). */
    public int maxHashesPerMessage() {
        Message.Welcome w = welcome;
        return w == null || w.limits() == null ? 1000 : Math.max(1, w.limits().maxHashesPerMessage());
    }

    public List<Message.IceServer> iceServers() {
        Message.Welcome w = welcome;
        return w == null || w.iceServers() == null ? List.of() : w.iceServers();
    }

    public URI server() {
        return server;
    }

    public boolean isConnected() {
        Socket s = socket;
        return s != null && s.isOpen() && s.welcome.isDone() && !s.welcome.isCompletedExceptionally();
    }

    /**
     * Sends a message, paced under the server's {@code maxMessagesPerSecond} (from its welcome):
     * messages over the pace wait in order instead of being dropped by the server. Dropped (with a
     * debug line) while disconnected.
     */
    public void send(Message message) {
        enqueue(new Outgoing(MessageCodec.encode(message), null));
    }

    /**
     * Sends a message that is worth sending only while {@code wanted} holds (a WebRTC signal for
     * a link still being set up, a refusal its offerer still waits for). It waits in order like
     * any other, but at most {@link #MAX_CONDITIONAL_WAITING} such messages wait: when the queue
     * holds that many, those no longer wanted are dropped first, and if none is, this one is not
     * queued. Whatever is no longer wanted when its turn comes is dropped unsent, so a burst of
     * answers to offers that have timed out does not hold back the fresh ones.
     *
     * @return false when the message was dropped at once (the queue was full of wanted messages)
     */
    public boolean sendWhile(Message message, java.util.function.BooleanSupplier wanted) {
        return enqueue(new Outgoing(MessageCodec.encode(message), wanted));
    }

    /**
     * Sends a message that may wait for a turn nothing else wants (a refusal of an offer): it
     * never delays what {@link #send} and {@link #sendWhile} queue. At most
     * {@link #MAX_SPARE_WAITING} wait; beyond that the oldest is dropped, and whatever is no
     * longer wanted when its turn comes is dropped unsent.
     */
    public void sendWhenIdle(Message message, java.util.function.BooleanSupplier wanted) {
        Outgoing out = new Outgoing(MessageCodec.encode(message), wanted);
        synchronized (outbox) {
            if (draining) {
                int before = spare.size();
                spare.removeIf(Outgoing::stale);
                droppedStale += before - spare.size();
                if (spare.size() >= MAX_SPARE_WAITING) {
                    spare.poll();
                    droppedFull++;
                }
                spare.add(out);
                return;
            }
            long wait = pace.reserve(1);
            if (wait > 0) {
                spare.add(out);
                draining = true;
                scheduleDrain(wait);
                return;
            }
        }
        transmit(out.frame());
    }

    private boolean enqueue(Outgoing out) {
        synchronized (outbox) {
            if (draining) { // whatever waits goes first, in order
                return queue(out);
            }
            long wait = pace.reserve(1);
            if (wait > 0) {
                if (!queue(out)) {
                    return false;
                }
                draining = true;
                scheduleDrain(wait);
                return true;
            }
        }
        transmit(out.frame());
        return true;
    }

    /** Holds {@link #outbox}. Appends, within the bound on conditional frames. */
    private boolean queue(Outgoing out) {
        if (out.wanted() != null) {
            if (conditionalWaiting >= MAX_CONDITIONAL_WAITING) {
                dropStale();
            }
            if (conditionalWaiting >= MAX_CONDITIONAL_WAITING) {
                droppedFull++;
                log.debug("signaling queue full ({} conditional messages wait): dropped one", conditionalWaiting);
                return false;
            }
            conditionalWaiting++;
        }
        outbox.add(out);
        return true;
    }

    /** Holds {@link #outbox}. Removes every waiting frame that is no longer wanted. */
    private void dropStale() {
        for (java.util.Iterator<Outgoing> it = outbox.iterator(); it.hasNext(); ) {
            Outgoing o = it.next();
            if (o.stale()) {
                it.remove();
                conditionalWaiting--;
                droppedStale++;
            }
        }
    }

    /**
     * Holds {@link #outbox}. The next frame still wanted, taken from the queue (or, when it is
     * empty, from the frames waiting for idle turns); null when none waits.
     */
    private Outgoing nextWanted() {
        while (true) {
            Outgoing o = outbox.poll();
            if (o == null) {
                while ((o = spare.poll()) != null && o.stale()) {
                    droppedStale++;
                }
                return o;
            }
            if (o.wanted() != null) {
                conditionalWaiting--;
                if (o.stale()) {
                    droppedStale++;
                    continue;
                }
            }
            return o;
        }
    }

    /** What the outgoing queue holds and has dropped: for tests and diagnostics. */
    public record QueueStats(int waiting, int conditionalWaiting, long droppedStale, long droppedFull) {}

    public QueueStats queueStats() {
        synchronized (outbox) {
            return new QueueStats(outbox.size() + spare.size(), conditionalWaiting, droppedStale, droppedFull);
        }
    }

    private void transmit(String frame) {
        Socket s = socket;
        try {
            if (s == null) {
                throw new WebsocketNotConnectedException();
            }
            s.send(frame);
        } catch (WebsocketNotConnectedException e) {
            log.debug("not connected; dropped a message");
        }
    }

    private void scheduleDrain(long waitNanos) {
        try {
            retries.schedule(this::drain, waitNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: what waits is dropped
        }
    }

    /**
     * Sends the head of the queue, whose turn was reserved, then what else the pace allows now.
     * While it runs (or waits to), new messages queue behind, so the order is kept. Frames no
     * longer wanted are skipped without using a turn.
     */
    private void drain() {
        while (true) {
            Outgoing next;
            synchronized (outbox) {
                next = nextWanted();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            transmit(next.frame());
            synchronized (outbox) {
                if (outbox.isEmpty() && spare.isEmpty()) {
                    draining = false;
                    return;
                }
                long wait = pace.reserve(1); // the next head's turn
                if (wait > 0) {
                    scheduleDrain(wait);
                    return;
                }
            }
        }
    }

    /** Sends whatever waits and is still wanted now, ignoring the pace: the connection is about to close. */
    private void flush() {
        List<String> waiting = new ArrayList<>();
        synchronized (outbox) {
            for (Outgoing o = nextWanted(); o != null; o = nextWanted()) {
                waiting.add(o.frame());
            }
            draining = false;
        }
        waiting.forEach(this::transmit);
    }

    @Override
    public void close() {
        closing = true;
        retries.shutdownNow();
        Socket s = socket;
        if (s == null) {
            return;
        }
        if (s.isOpen()) {
            flush(); // reports and the like are not lost to the pace
            transmit(MessageCodec.encode(new Message.Bye()));
        }
        try {
            s.closeBlocking();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One WebSocket connection; a reconnect makes a new one. */
    private final class Socket extends WebSocketClient {
        final CompletableFuture<Message.Welcome> welcome = new CompletableFuture<>();
        /** Completes once the connection is closed, whoever closed it. */
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        /** The handshake succeeded (the connection may have closed since). */
        volatile boolean opened;
        /** The error the server sent before welcoming us, if it refused us. */
        volatile Message.Error refusal;
        /** The close code and reason, when the server closed the connection after it opened. */
        volatile String closedBy;

        Socket(URI uri, String token) {
            super(uri, token == null ? java.util.Map.of() : java.util.Map.of("Authorization", "Bearer " + token));
            setTcpNoDelay(true);
            setConnectionLostTimeout(30);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            opened = true;
        }

        @Override
        public void onMessage(String text) {
            Message message;
            try {
                message = MessageCodec.decode(text);
            } catch (ProtocolException e) {
                log.warn("bad message from signaling server: {}", e.getMessage());
                return;
            }
            if (message instanceof Message.Welcome w) {
                welcome.complete(w);
                return;
            }
            if (message instanceof Message.Error error) {
                if (error.retryAfterMs() != null) {
                    retryAfterMs = error.retryAfterMs();
                }
                if (!welcome.isDone()) {
                    refusal = error; // before completing: whoever sees the failure finds it
                    welcome.completeExceptionally(new IOException(describe(error)));
                    return;
                }
            }
            try {
                listener.onMessage(message);
            } catch (RuntimeException e) {
                log.warn("listener failed on {}", MessageCodec.typeName(message), e);
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            boolean wasWelcomed = welcome.isDone() && !welcome.isCompletedExceptionally();
            if (remote && opened) {
                closedBy = code + (reason == null || reason.isEmpty() ? "" : " " + reason);
            }
            welcome.completeExceptionally(new IOException("connection closed (" + code + " " + reason + ")"));
            closed.complete(null);
            // Only the loss of a live connection starts retries; a failed attempt retries itself.
            if (closing || socket != this || !wasWelcomed) {
                return;
            }
            if (!options.reconnect()) {
                log.warn("signaling connection closed: {} {}", code, reason);
                listener.onDisconnected("connection lost (" + code + ")", null);
                return;
            }
            Duration wait = nextWait();
            log.warn("signaling connection closed ({} {}); reconnecting in {} ms", code, reason, wait.toMillis());
            listener.onDisconnected("connection lost (" + code + ")", wait);
            scheduleRetry(wait);
        }

        @Override
        public void onError(Exception ex) {
            log.debug("signaling socket error: {}", ex.toString());
        }
    }
}
