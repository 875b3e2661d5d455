package io.swarmkeeper.server;

import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Who may connect and how fast: the Origin and token checks at the upgrade, connections per
 * address, the handshake rate (a virtual queue of retry-after slots), a full server, and each
 * connection's message rate.
 */
final class Admission {
    /** The longest wait the admission queue hands out. */
    static final long MAX_WAIT_MS = 30_000;

    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final Replies replies;
    private final WebSocketTransport transport;
    /** Peers welcomed now. */
    private final IntSupplier welcomed;
    private final Object lock = new Object();
    private final TokenBucket handshakes;  // guarded by lock
    private long nextSlotNanos;            // guarded by lock

    Admission(ServerConfig config, ServerMetrics metrics, Replies replies, WebSocketTransport transport, IntSupplier welcomed) {
        this.config = config;
        this.metrics = metrics;
        this.replies = replies;
        this.transport = transport;
        this.welcomed = welcomed;
        this.handshakes = new TokenBucket(config.maxHandshakesPerSecond(), config.maxHandshakesPerSecond(), System.nanoTime());
    }

    /**
     * Whether this connection may open at all: who it is (a browser page by its Origin, another
     * peer by its token), connections from its address, load. Refuses it (an error, then a close)
     * when not.
     */
    void admit(Connection conn, ConnectionState c, String origin, String authorization) {
        if (origin != null) {
            // Browsers always send Origin: --allowed-origin decides which sites' pages may connect.
            if (!config.allowedOrigins().isEmpty() && !config.allowedOrigins().contains(origin)) {
                replies.refuse(conn, new Message.Error(ErrorCode.ORIGIN_NOT_ALLOWED,
                        "origin " + Replies.abbreviate(origin) + " may not use this server"), CloseCodes.POLICY_VALIDATION);
                return;
            }
        }
        c.tokenPresented = validToken(authorization);
        if (origin == null && !config.peerTokens().isEmpty() && !c.tokenPresented) {
            // No Origin: not a browser page. Such peers prove themselves with a token when the operator set one.
            replies.refuse(conn, new Message.Error(ErrorCode.TOKEN_REQUIRED, authorization == null
                    ? "this server admits peers without an Origin only with a token (Authorization: Bearer …)"
                    : "the token is not one this server accepts"), CloseCodes.POLICY_VALIDATION);
            return;
        }
        // Counted by the transport from the moment each socket was accepted, upgraded or not.
        if (transport.socketsFrom(c.address) > config.maxConnectionsPerAddress()) {
            replies.refuse(conn, new Message.Error(ErrorCode.TOO_MANY_CONNECTIONS, "at most "
                    + config.maxConnectionsPerAddress() + " connections from one address"), CloseCodes.POLICY_VALIDATION);
            return;
        }
        long delay = delayMs();
        if (delay > 0) {
            metrics.refusedOverload.increment();
            replies.refuse(conn, new Message.Error(ErrorCode.OVERLOADED, "too many new connections at once; try again in "
                    + delay + " ms", delay), CloseCodes.TRY_AGAIN_LATER);
            return;
        }
        if (welcomed.getAsInt() >= config.maxPeers()) {
            refuseFull(conn);
        }
    }

    /** True when {@code authorization} is {@code Bearer <one of the configured tokens>}; compared in constant time. */
    private boolean validToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String token : config.peerTokens()) {
            ok |= MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }

    /** Refuses a connection because the server holds as many peers as it may. */
    void refuseFull(Connection conn) {
        refuseForNow(conn, "server is full (" + config.maxPeers() + " peers); try again later");
    }

    /** Refuses with {@code overloaded}, a retry hint spread over 1–2 times the configured one, and close 1013. */
    void refuseForNow(Connection conn, String why) {
        // Spread the retries: each refused client waits between 1 and 2 times the hint.
        refuseFor(conn, why, spreadRetryMs());
    }

    /** Refuses with {@code overloaded}, the hint {@code retryAfterMs}, and close 1013. */
    void refuseFor(Connection conn, String why, long retryAfterMs) {
        metrics.refusedOverload.increment();
        replies.refuse(conn, new Message.Error(ErrorCode.OVERLOADED, why, retryAfterMs), CloseCodes.TRY_AGAIN_LATER);
    }

    /** Between 1 and 2 times the configured retry hint, at random. */
    long spreadRetryMs() {
        return config.retryAfterMs() + ThreadLocalRandom.current().nextLong(config.retryAfterMs() + 1);
    }

    /**
     * Admits a new connection within the handshake rate (a token bucket), or returns how long it
     * should wait: refused clients are given slots one admission apart after the last slot given
     * out, a virtual queue, so that a reconnect storm comes back at the rate the server can take
     * instead of all at once. A client that returns at its slot finds a token waiting.
     */
    private long delayMs() {
        synchronized (lock) {
            long now = System.nanoTime();
            if (handshakes.tryTake(now)) {
                return 0;
            }
            long step = 1_000_000_000L / config.maxHandshakesPerSecond();
            long slot = Math.max(now, nextSlotNanos) + step;
            long cap = TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);
            if (slot - now > cap) {
                // The queue is full: past the cap, spread refusals over the last stretch instead
                // of pushing everyone further, so a flood cannot send honest clients away for hours.
                return MAX_WAIT_MS / 2 + ThreadLocalRandom.current().nextLong(MAX_WAIT_MS / 2 + 1);
            }
            nextSlotNanos = slot;
            return Math.max(1, (slot - now + 999_999) / 1_000_000);
        }
    }

    /** Applies the per-connection message rate; true when the frame may be handled. */
    boolean withinRate(Connection conn, ConnectionState c) {
        long now = System.nanoTime();
        if (c.bucket.tryTake(now)) {
            c.dropped = 0; // only an unbroken run of drops closes a connection
            return true;
        }
        c.dropped++;
        if (c.dropped > config.messageBurst()) {
            replies.refuse(conn, new Message.Error(ErrorCode.RATE_LIMITED, "too many messages: more than "
                    + config.messagesPerSecond() + " a second; disconnected"), CloseCodes.POLICY_VALIDATION);
        } else if (now - c.lastRateError > 1_000_000_000L) {
            c.lastRateError = now;
            replies.error(conn, ErrorCode.RATE_LIMITED, "too many messages: at most " + config.messagesPerSecond()
                    + " a second; this one and others were dropped");
        } else {
            metrics.error(ErrorCode.RATE_LIMITED);
        }
        return false;
    }
}
