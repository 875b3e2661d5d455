package io.swarmkeeper.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings every connection once per heartbeat period, a slice each tick, and closes those that
 * did not answer the previous round's ping (no frame, no pong in a whole period), or that
 * never said hello: a dead peer goes one to two periods after its last sign of life. Spreading
 * the pings keeps the cost flat (a checker that pings all connections at once stalls relaying
 * for every peer with tens of thousands connected); each tick's pings go to each event loop as
 * one task ({@link WebSocketTransport#pingAll}).
 */
final class Heartbeat {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
    /** How often a slice is pinged. */
    static final long TICK_MS = 100;
    /** A connection that has not said hello by then is closed (it holds a slot for nothing). */
    static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final WebSocketTransport transport;
    private final ServerMetrics metrics;
    private final long periodNanos;
    private List<Connection> round = List.of();
    private int cursor;
    private long roundStart = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

    Heartbeat(WebSocketTransport transport, ServerMetrics metrics, int periodSeconds) {
        this.transport = transport;
        this.metrics = metrics;
        this.periodNanos = TimeUnit.SECONDS.toNanos(periodSeconds);
    }

    /** One tick: the next slice of this round's connections. On the heartbeat's own thread. */
    void tick() {
        try {
            long now = System.nanoTime();
            if (cursor >= round.size()) {
                // A round lasts one whole period, however few connections there are.
                if (now - roundStart < periodNanos) {
                    return;
                }
                round = new ArrayList<>(transport.connections());
                cursor = 0;
                roundStart = now;
            }
            long ticks = Math.max(1, periodNanos / TimeUnit.MILLISECONDS.toNanos(TICK_MS));
            int slice = (int) Math.max(1, (round.size() + ticks - 1) / ticks);
            List<Connection> toPing = new ArrayList<>(slice);
            for (int i = 0; i < slice && cursor < round.size(); i++) {
                Connection conn = round.get(cursor++);
                ConnectionState c = conn.state();
                if (c == null || !conn.isOpen()) {
                    continue; // closing: the transport bounds the close handshake
                }
                if (c.lastPingNanos != 0 && c.lastHeardNanos - c.lastPingNanos < 0
                        && now - c.lastPingNanos >= periodNanos) {
                    // Pinged a whole round ago and not heard from since.
                    metrics.reaped.increment();
                    log.debug("reaping {}: no answer for {} ms", conn, (now - c.lastHeardNanos) / 1_000_000);
                    conn.abort();
                } else if (c.session() == null && now - c.openedNanos > HELLO_TIMEOUT_NANOS) {
                    metrics.reaped.increment();
                    log.debug("reaping {}: no hello", conn);
                    conn.close(CloseCodes.POLICY_VALIDATION, "no hello");
                } else {
                    c.lastPingNanos = now;
                    toPing.add(conn);
                }
            }
            transport.pingAll(toPing);
        } catch (RuntimeException e) {
            log.warn("heartbeat tick failed", e);
        }
    }
}
