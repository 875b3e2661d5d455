package io.swarmkeeper.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One process of the signaling load generator (run by .ci/bench-signaling, which starts the
 * server and several of these, pinned away from the server's core). It opens {@code peers}
 * WebSocket peers from one source address, in pairs: one holder announces a hash, the other
 * wants it and is matched with it. Then, on a timeline shared by all generators (epoch
 * milliseconds), it relays offer → answer between pairs at a set rate and measures the round
 * trip; with {@code storm=true} it drops every connection at once and reconnects them the way
 * the Java client does (full jitter from 0.5 s, resume token, obeying retry-after), otherwise it
 * keeps relaying through the storm and measures what untouched peers see. One JSON line of
 * figures at the end. A single-threaded NIO engine ({@link RawLoadClient}) keeps the generator
 * cheap, so that it measures the server rather than itself.
 *
 * <p>Two servers of one cluster ({@code url2}, issue 18): the pairs are split across them, so that
 * every relay crosses from one instance to the other: in even pairs the holder connects to
 * {@code url} and the asker to {@code url2}, in odd pairs the other way round (each instance
 * holds half the holders and half the askers). A peer always reconnects to the server it first
 * used, storm included. Without {@code url2} every peer connects to {@code url}.
 *
 * <p>Holdings ({@code holdings=K}, default 1): a holder announces its pair's hash on every
 * welcome; with K > 1 it also announces K - 1 more ids of its own (SHA-224 hex of the tag, pair and
 * index, so distinct from every other holder's), in messages of at most 500 hashes (fewer if the
 * welcome's limits say so): from the start, or from {@code holdAt} (epoch ms) when given, so that
 * one run can measure the server and its Redis before and after them. Like the Java seeder, a
 * holder that reconnects announces everything it holds again.
 */
public final class SignalingLoad implements RawLoadClient.Handler {
    private static final int MAX_HANDSHAKES_IN_FLIGHT = 512;

    /** One simulated peer. */
    private final class Peer {
        final boolean holder;
        final String hash;
        final int pair;
        final InetSocketAddress server;
        Peer partner;
        RawLoadClient.Conn conn;
        String id;
        String resume;
        boolean welcomed;
        long retryAfterMs;
        int attempt;

        Peer(boolean holder, String hash, int pair, InetSocketAddress server) {
            this.holder = holder;
            this.hash = hash;
            this.pair = pair;
            this.server = server;
        }
    }

    private final RawLoadClient engine;
    private final List<Peer> peers = new ArrayList<>();
    private final List<Peer> askers = new ArrayList<>();
    private final ArrayDeque<Peer> toConnect = new ArrayDeque<>();
    private final String tag;
    private final int rate;
    private final boolean storm;
    private final int stormRate;
    private final long relayAt;
    private final long relayEnd;
    private final long stormAt;
    private final long endAt;
    private final int holdings;
    private final long holdAt;
    private boolean extrasAnnounced;
    private int hashesPerHave = 500;
    private long errors;
    private final long startMillis = System.currentTimeMillis();
    private final List<Long> relayMicros = new ArrayList<>();
    private final List<Long> stormMicros = new ArrayList<>();
    private int inFlight;
    private int welcomedCount;
    private int matchedCount;
    private int matchedBeforeStorm;
    private long connectMillis = -1;
    private boolean wantsSent;
    private boolean stormed;
    private int stormPending;
    private long lastStormWelcome;
    private long refused;
    private long offersSent;
    private long offerPhaseStart;
    private int nextAsker;

    private SignalingLoad(Map<String, String> a) throws Exception {
        URI url = URI.create(a.get("url"));
        InetSocketAddress first = new InetSocketAddress(url.getHost(), url.getPort());
        URI url2 = a.containsKey("url2") ? URI.create(a.get("url2")) : url;
        InetSocketAddress second = new InetSocketAddress(url2.getHost(), url2.getPort());
        String source = a.get("source");
        this.engine = new RawLoadClient(first, source == null ? null : new InetSocketAddress(source, 0), this);
        this.tag = a.getOrDefault("tag", "gen");
        this.rate = Integer.parseInt(a.getOrDefault("rate", "0"));
        this.storm = Boolean.parseBoolean(a.getOrDefault("storm", "false"));
        this.stormRate = Integer.parseInt(a.getOrDefault("stormRate", "0"));
        this.relayAt = Long.parseLong(a.get("relayAt"));
        this.relayEnd = Long.parseLong(a.get("relayEnd"));
        this.stormAt = Long.parseLong(a.getOrDefault("stormAt", "0"));
        this.endAt = Long.parseLong(a.get("endAt"));
        this.holdings = Integer.parseInt(a.getOrDefault("holdings", "1"));
        this.holdAt = Long.parseLong(a.getOrDefault("holdAt", "0"));
        this.extrasAnnounced = holdAt == 0;
        int count = Integer.parseInt(a.getOrDefault("peers", "1000"));
        for (int i = 0; i < count / 2; i++) {
            String hash = hashOf(tag + "/" + i);
            boolean even = i % 2 == 0;
            Peer holder = new Peer(true, hash, i, even ? first : second);
            Peer asker = new Peer(false, hash, i, even ? second : first);
            holder.partner = asker;
            asker.partner = holder;
            peers.add(holder);
            peers.add(asker);
            askers.add(asker);
        }
        toConnect.addAll(peers);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        SignalingLoad load = new SignalingLoad(a);
        load.engine.run();
        load.report();
        Runtime.getRuntime().halt(0);
    }

    // ---- engine callbacks (one thread) ---------------------------------------------------------

    @Override
    public void onOpen(RawLoadClient.Conn conn) {
        Peer peer = (Peer) conn.owner;
        conn.sendText("{\"type\":\"hello\",\"version\":1,\"role\":\"" + (peer.holder ? "seeder" : "peer") + "\""
                + (peer.resume == null ? "" : ",\"resume\":\"" + peer.resume + "\"") + "}");
    }

    @Override
    public void onText(RawLoadClient.Conn conn, String text) {
        Peer peer = (Peer) conn.owner;
        String type = field(text, "\"type\":\"");
        switch (type) {
            case "welcome" -> {
                peer.id = field(text, "\"id\":\"");
                peer.resume = field(text, "\"resume\":\"");
                peer.welcomed = true;
                peer.attempt = 0;
                inFlight--;
                welcomedCount++;
                String limit = number(text, "\"maxHashesPerMessage\":");
                if (!limit.isEmpty()) {
                    hashesPerHave = Math.max(1, Math.min(500, Integer.parseInt(limit)));
                }
                if (peer.holder) {
                    conn.sendText("{\"type\":\"have\",\"hashes\":[\"" + peer.hash + "\"]}");
                    if (extrasAnnounced) {
                        announceExtras(peer);
                    }
                }
                if (stormed && storm) {
                    lastStormWelcome = System.currentTimeMillis();
                    stormPending--;
                    if (stormPending == 0) {
                        engine.schedule(0, () -> { });
                    }
                }
            }
            case "match" -> {
                if (!text.contains("\"peers\":[]")) {
                    matchedCount++;
                }
            }
            case "signal" -> {
                int data = text.indexOf("\"data\":");
                String kind = field(text.substring(data), "\"type\":\"");
                long t = Long.parseLong(number(text, "\"t\":"));
                long at = Long.parseLong(number(text, "\"at\":"));
                if (kind.equals("offer")) {
                    conn.sendText("{\"type\":\"signal\",\"to\":\"" + field(text, "\"from\":\"")
                            + "\",\"data\":{\"type\":\"answer\",\"sdp\":\"v=0\",\"t\":" + t + ",\"at\":" + at + "}}");
                } else if (kind.equals("answer")) {
                    long micros = (System.nanoTime() - t) / 1000;
                    if (at >= relayAt && at < relayEnd) {
                        relayMicros.add(micros);
                    } else if (stormAt > 0 && at >= stormAt && at < endAt) {
                        stormMicros.add(micros);
                    }
                }
            }
            case "error" -> {
                String retry = number(text, "\"retryAfterMs\":");
                if (!retry.isEmpty()) {
                    peer.retryAfterMs = Long.parseLong(retry);
                    refused++;
                } else if (++errors <= 5) {
                    System.err.println(tag + ": " + text); // e.g. a holding limit reached
                }
            }
            default -> { }
        }
    }

    @Override
    public void onClose(RawLoadClient.Conn conn) {
        Peer peer = (Peer) conn.owner;
        if (!peer.welcomed) {
            inFlight--;
        }
        peer.welcomed = false;
        if (!stormed || storm) {
            scheduleReconnect(peer);
        }
    }

    @Override
    public void onTick(long nowNanos) {
        long now = System.currentTimeMillis();
        while (inFlight < MAX_HANDSHAKES_IN_FLIGHT && !toConnect.isEmpty()) {
            Peer peer = toConnect.poll();
            peer.conn = engine.new Conn(peer, peer.server);
            inFlight++;
            engine.connect(peer.conn);
        }
        if (!extrasAnnounced && now >= holdAt) {
            extrasAnnounced = true;
            for (Peer peer : peers) {
                if (peer.holder && peer.welcomed) {
                    announceExtras(peer); // the others do when they are welcomed
                }
            }
        }
        if (!wantsSent && welcomedCount == peers.size()) {
            connectMillis = now - startMillis;
            wantsSent = true;
            engine.schedule(500_000_000L, () -> {
                for (Peer asker : askers) {
                    asker.conn.sendText("{\"type\":\"want\",\"hash\":\"" + asker.hash + "\"}");
                }
            });
        }
        if (now >= relayAt && now < relayEnd) {
            sendOffers(now, relayAt, rate);
        } else if (stormAt > 0 && now >= stormAt && !stormed) {
            stormed = true;
            matchedBeforeStorm = matchedCount;
            offersSent = 0;
            if (storm) {
                stormPending = peers.size();
                for (Peer peer : peers) {
                    peer.conn.abort(); // onClose schedules the reconnect
                }
            }
        } else if (stormed && !storm && now < endAt) {
            sendOffers(now, stormAt, stormRate);
        }
        if (now >= endAt) {
            engine.stop();
        }
    }

    // ---- behaviour -----------------------------------------------------------------------------

    private void sendOffers(long now, long phaseStart, int perSecond) {
        if (perSecond <= 0 || askers.isEmpty()) {
            return;
        }
        if (offerPhaseStart != phaseStart) {
            offerPhaseStart = phaseStart;
            offersSent = 0;
        }
        long due = (now - phaseStart) * perSecond / 1000;
        while (offersSent < due) {
            Peer asker = askers.get(nextAsker++ % askers.size());
            offersSent++;
            if (asker.welcomed && asker.partner.id != null) {
                asker.conn.sendText("{\"type\":\"signal\",\"to\":\"" + asker.partner.id + "\",\"data\":{\"type\":\"offer\","
                        + "\"sdp\":\"v=0\",\"t\":" + System.nanoTime() + ",\"at\":" + now + "}}");
            }
        }
    }

    /** The holder's K - 1 ids beyond its pair's hash, in messages within the server's limit. */
    private void announceExtras(Peer holder) {
        StringBuilder have = new StringBuilder();
        int inMessage = 0;
        for (int k = 1; k < holdings; k++) {
            have.append(inMessage == 0 ? "{\"type\":\"have\",\"hashes\":[\"" : ",\"")
                    .append(hashOf(tag + "/" + holder.pair + "/" + k)).append('"');
            if (++inMessage == hashesPerHave || k == holdings - 1) {
                holder.conn.sendText(have.append("]}").toString());
                have.setLength(0);
                inMessage = 0;
            }
        }
    }

    /** Full jitter from a 0.5 s base, doubling to 30 s, never sooner than the server's hint. */
    private void scheduleReconnect(Peer peer) {
        long ceiling = Math.min(30_000, 500L << Math.min(peer.attempt, 6));
        long waitMs = Math.max(ThreadLocalRandom.current().nextLong(ceiling + 1), peer.retryAfterMs);
        peer.attempt++;
        peer.retryAfterMs = 0;
        engine.schedule(waitMs * 1_000_000L, () -> {
            peer.conn = engine.new Conn(peer, peer.server);
            inFlight++;
            engine.connect(peer.conn);
        });
    }

    private void report() {
        System.out.printf(Locale.ROOT, "{\"tag\":\"%s\",\"peers\":%d,\"welcomed\":%d,\"matched\":%d,\"connectMs\":%d,"
                        + "\"relay\":%s,\"storm\":%s,\"stormSettleMs\":%d,\"stillOut\":%d,\"refusedWithRetryAfter\":%d,"
                        + "\"duringStorm\":%s,\"holdingsPerHolder\":%d,\"otherErrors\":%d}%n",
                tag, peers.size(), welcomedCount, stormAt > 0 ? matchedBeforeStorm : matchedCount, connectMillis,
                percentiles(relayMicros), storm, storm && stormed && stormPending == 0 ? lastStormWelcome - stormAt : -1,
                storm ? stormPending : 0, refused, percentiles(stormMicros), holdings, errors);
        System.out.flush();
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The string value after {@code key} (our server writes compact JSON in a fixed order). */
    private static String field(String text, String key) {
        int start = text.indexOf(key);
        if (start < 0) {
            return "";
        }
        start += key.length();
        return text.substring(start, text.indexOf('"', start));
    }

    private static String number(String text, String key) {
        int start = text.indexOf(key);
        if (start < 0) {
            return "";
        }
        start += key.length();
        int end = start;
        while (end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == '-')) {
            end++;
        }
        return text.substring(start, end);
    }

    private static String hashOf(String name) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-224").digest(name.getBytes());
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String percentiles(List<Long> micros) {
        if (micros.isEmpty()) {
            return "{\"count\":0}";
        }
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "{\"count\":%d,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}", sorted.length,
                sorted[sorted.length / 2] / 1000.0, sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] / 1000.0,
                sorted[sorted.length - 1] / 1000.0);
    }
}
