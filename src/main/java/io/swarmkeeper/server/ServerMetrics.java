package io.swarmkeeper.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one signaling server, rendered as Prometheus text or a JSON summary. */
public final class ServerMetrics {
    final LongAdder connectionsOpened = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder signalsRelayed = new LongAdder();
    final LongAdder matches = new LongAdder();
    final LongAdder resumed = new LongAdder();
    final LongAdder refusedOverload = new LongAdder();
    final LongAdder reaped = new LongAdder();
    final LongAdder acceptPaused = new LongAdder();
    /** {@code served} confirmations received (recorded or not). */
    final LongAdder confirmations = new LongAdder();
    final LongAdder acceptErrors = new LongAdder();
    /** Descriptors in use and the process's limit, as the transport last saw them. */
    private volatile java.util.function.LongSupplier descriptorsInUse = () -> -1;
    private volatile long maxDescriptors = -1;
    final Map<String, LongAdder> errorsByCode = new ConcurrentHashMap<>();
    final Map<String, LongAdder> offersByReason = new ConcurrentHashMap<>();
    final Map<PeerRole, AtomicLong> peersByRole = new ConcurrentHashMap<>();
    private final long startedNanos = System.nanoTime();
    private volatile long lastSignalsSample;
    private volatile long lastSampleNanos = startedNanos;
    private volatile double signalsPerSecond;

    void descriptors(java.util.function.LongSupplier inUse, long max) {
        this.descriptorsInUse = inUse;
        this.maxDescriptors = max;
    }

    /** A holder was offered in a match for {@code reason} (the ranking's words). */
    void offered(String reason) {
        offersByReason.computeIfAbsent(reason == null ? "none" : reason, k -> new LongAdder()).increment();
    }

    /** Holders offered in matches so far, by the ranking's reason. */
    public Map<String, Long> offersByReason() {
        Map<String, Long> copy = new TreeMap<>();
        offersByReason.forEach((reason, n) -> copy.put(reason, n.sum()));
        return copy;
    }

    void error(String code) {
        errorsByCode.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    void peerJoined(PeerRole role) {
        peersByRole.computeIfAbsent(role, k -> new AtomicLong()).incrementAndGet();
    }

    void peerLeft(PeerRole role) {
        peersByRole.computeIfAbsent(role, k -> new AtomicLong()).decrementAndGet();
    }

    /** Called about once a second to keep the signal rate current. */
    void sample() {
        long now = System.nanoTime();
        long signals = signalsRelayed.sum();
        double seconds = (now - lastSampleNanos) / 1e9;
        if (seconds > 0) {
            signalsPerSecond = (signals - lastSignalsSample) / seconds;
        }
        lastSignalsSample = signals;
        lastSampleNanos = now;
    }

    public long confirmations() {
        return confirmations.sum();
    }

    public long signalsRelayed() {
        return signalsRelayed.sum();
    }

    public Map<String, Long> errorCounts() {
        Map<String, Long> copy = new TreeMap<>();
        errorsByCode.forEach((code, n) -> copy.put(code, n.sum()));
        return copy;
    }

    public long peers(PeerRole role) {
        AtomicLong n = peersByRole.get(role);
        return n == null ? 0 : n.get();
    }

    /** Prometheus text exposition format, version 0.0.4. */
    public String prometheus(int pairs, int openWants, int resumable) {
        StringBuilder out = new StringBuilder();
        gaugeHeader(out, "swarmkeeper_peers", "Connected peers by role.");
        for (PeerRole role : PeerRole.values()) {
            out.append("swarmkeeper_peers{role=\"").append(role.wireName()).append("\"} ").append(peers(role)).append('\n');
        }
        gauge(out, "swarmkeeper_pairs", "Pairs of peers matched and allowed to signal.", pairs);
        gauge(out, "swarmkeeper_open_wants", "Wants still open (the server offers further holders if one goes).", openWants);
        gauge(out, "swarmkeeper_resumable_peers", "Disconnected peers whose id can still be resumed.", resumable);
        counter(out, "swarmkeeper_connections_opened_total", "WebSocket connections accepted.", connectionsOpened.sum());
        counter(out, "swarmkeeper_messages_received_total", "Frames received from peers.", messagesReceived.sum());
        counter(out, "swarmkeeper_signals_relayed_total", "WebRTC signals relayed between matched peers.", signalsRelayed.sum());
        counter(out, "swarmkeeper_matches_total", "Match answers sent.", matches.sum());
        counter(out, "swarmkeeper_resumed_total", "Reconnections that got their id back.", resumed.sum());
        counter(out, "swarmkeeper_refused_overload_total", "Connections refused with a retry-after hint.", refusedOverload.sum());
        counter(out, "swarmkeeper_reaped_total", "Connections closed for missed heartbeats or no hello.", reaped.sum());
        counter(out, "swarmkeeper_served_confirmations_total", "Confirmations of verified bytes received from askers.", confirmations.sum());
        counter(out, "swarmkeeper_accept_paused_total", "Times accepting paused because file descriptors ran low.", acceptPaused.sum());
        counter(out, "swarmkeeper_accept_errors_total", "Times accept() itself failed (e.g. too many open files).", acceptErrors.sum());
        gauge(out, "swarmkeeper_open_descriptors", "File descriptors in use by the process.", descriptorsInUse.getAsLong());
        gauge(out, "swarmkeeper_max_descriptors", "The process's limit of file descriptors.", maxDescriptors);
        out.append("# HELP swarmkeeper_offers_total Holders offered in matches, by the ranking's reason.\n");
        out.append("# TYPE swarmkeeper_offers_total counter\n");
        offersByReason().forEach((reason, n) ->
                out.append("swarmkeeper_offers_total{reason=\"").append(reason).append("\"} ").append(n).append('\n'));
        out.append("# HELP swarmkeeper_errors_total Errors sent to peers, by stable code.\n");
        out.append("# TYPE swarmkeeper_errors_total counter\n");
        errorCounts().forEach((code, n) ->
                out.append("swarmkeeper_errors_total{code=\"").append(code).append("\"} ").append(n).append('\n'));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        gauge(out, "swarmkeeper_heap_used_bytes", "JVM heap in use.", memory.getHeapMemoryUsage().getUsed());
        gauge(out, "swarmkeeper_nonheap_used_bytes", "JVM non-heap memory in use.", memory.getNonHeapMemoryUsage().getUsed());
        gauge(out, "swarmkeeper_uptime_seconds", "Seconds since the server started.", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        return out.toString();
    }

    /** A JSON summary for people and dashboards. */
    public String json(int pairs, int openWants, int resumable) {
        return json(pairs, openWants, resumable, null, 0);
    }

    /**
     * A JSON summary for people and dashboards; {@code geoFiles}: the geolocation data in use
     * (its attribution goes with it, as its licence asks), null when proximity pairing is off.
     */
    public String json(int pairs, int openWants, int resumable, String geoFiles, int geoReloads) {
        ObjectNode root = MessageCodec.mapper().createObjectNode();
        ObjectNode proximity = root.putObject("proximity");
        proximity.put("on", geoFiles != null);
        if (geoFiles != null) {
            proximity.put("data", geoFiles);
            proximity.put("reloads", geoReloads);
            proximity.put("attribution", io.swarmkeeper.geo.Geolocator.ATTRIBUTION);
        }
        ObjectNode peers = root.putObject("peers");
        long total = 0;
        for (PeerRole role : PeerRole.values()) {
            peers.put(role.wireName(), peers(role));
            total += peers(role);
        }
        peers.put("total", total);
        root.put("pairs", pairs);
        root.put("openWants", openWants);
        root.put("resumable", resumable);
        root.put("signalsRelayed", signalsRelayed.sum());
        root.put("signalsPerSecond", Math.round(signalsPerSecond * 10) / 10.0);
        root.put("messagesReceived", messagesReceived.sum());
        root.put("connectionsOpened", connectionsOpened.sum());
        root.put("refusedOverload", refusedOverload.sum());
        root.put("reaped", reaped.sum());
        root.put("acceptPaused", acceptPaused.sum());
        root.put("acceptErrors", acceptErrors.sum());
        ObjectNode fds = root.putObject("descriptors");
        fds.put("inUse", descriptorsInUse.getAsLong());
        fds.put("max", maxDescriptors);
        ObjectNode offers = root.putObject("offersByReason");
        offersByReason().forEach(offers::put);
        ObjectNode errors = root.putObject("errors");
        errorCounts().forEach(errors::put);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ObjectNode mem = root.putObject("memory");
        mem.put("heapUsedBytes", memory.getHeapMemoryUsage().getUsed());
        mem.put("heapMaxBytes", memory.getHeapMemoryUsage().getMax());
        mem.put("nonHeapUsedBytes", memory.getNonHeapMemoryUsage().getUsed());
        root.put("uptimeSeconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        return root.toString();
    }

    /** Whether holders are ranked by proximity, and how often its files were reloaded. */
    static String proximityPrometheus(boolean on, int reloads) {
        StringBuilder out = new StringBuilder();
        gauge(out, "swarmkeeper_proximity_enabled", "1 when holders are ranked by proximity (" +
                io.swarmkeeper.geo.Geolocator.ATTRIBUTION + ").", on ? 1 : 0);
        counter(out, "swarmkeeper_geo_reloads_total", "Times the geolocation files were reloaded after being replaced.", reloads);
        return out.toString();
    }

    private static void gaugeHeader(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        gaugeHeader(out, name, help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        out.append(name).append(' ').append(value).append('\n');
    }
}
