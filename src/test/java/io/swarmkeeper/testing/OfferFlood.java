package io.swarmkeeper.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peers that flood a holder with offers through the real signaling server: raw signaling
 * clients, each with its own id, that ask for a resource, are matched with its holder, and then
 * send it the same real offer again and again without ever connecting. What the holder sends
 * back is kept.
 */
public final class OfferFlood implements AutoCloseable {
    private final List<RawSignalingClient> attackers;
    private final String holder;
    private final String offerFrame;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "offer-flood");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sent = new AtomicLong();
    private final List<JsonNode> heard = new CopyOnWriteArrayList<>();

    private OfferFlood(List<RawSignalingClient> attackers, String holder, String offerFrame) {
        this.attackers = attackers;
        this.holder = holder;
        this.offerFrame = offerFrame;
    }

    /**
     * {@code ids} clients, each matched with {@code holder} for {@code id}; call {@link #start}
     * to begin.
     */
    public static OfferFlood prepare(String serverUrl, ResourceId id, String holder, int ids) throws Exception {
        String offer = realOffer();
        List<RawSignalingClient> clients = new ArrayList<>();
        for (int i = 0; i < ids; i++) {
            RawSignalingClient c = RawSignalingClient.welcomed(serverUrl, "peer");
            c.send("{\"type\":\"want\",\"hash\":\"" + id.text() + "\",\"count\":1}");
            JsonNode match = c.next("match");
            if (!match.path("peers").toString().contains(holder)) {
                throw new AssertionError("not matched with the holder: " + match);
            }
            clients.add(c);
        }
        ObjectNode data = (ObjectNode) MessageCodec.mapper().readTree(offer);
        ObjectNode signal = MessageCodec.mapper().createObjectNode();
        signal.put("type", "signal");
        signal.put("to", holder);
        signal.set("data", data);
        return new OfferFlood(clients, holder, signal.toString());
    }

    /** A real offer's signal object, made by a real link that is closed at once (it never connects). */
    private static String realOffer() throws Exception {
        CompletableFuture<ObjectNode> offer = new CompletableFuture<>();
        PeerLink link = PeerLink.offer(RtcRuntime.shared(), LinkConfig.withIceServers(List.of()), "nobody",
                new PeerLink.Listener() {
                    @Override
                    public void onSignal(PeerLink l, ObjectNode signal) {
                        if (signal.has("sdp")) {
                            offer.complete(signal);
                        }
                    }

                    @Override
                    public void onMessage(PeerLink l, byte[] message) {}
                });
        try {
            return offer.get(10, TimeUnit.SECONDS).toString();
        } finally {
            link.close();
        }
    }

    /** Every client sends {@code perSecond} offers a second from now on. */
    public OfferFlood start(int perSecond) {
        long period = 1_000_000 / perSecond;
        sender.scheduleAtFixedRate(() -> {
            for (RawSignalingClient c : attackers) {
                if (c.isOpen()) {
                    c.send(offerFrame);
                    sent.incrementAndGet();
                }
                heard.addAll(c.drain());
            }
        }, 0, period, TimeUnit.MICROSECONDS);
        return this;
    }

    /** Stops sending; the clients stay connected. */
    public void stop() throws InterruptedException {
        sender.shutdownNow();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        for (RawSignalingClient c : attackers) {
            heard.addAll(c.drain());
        }
    }

    public long offersSent() {
        return sent.get();
    }

    /** Signal data the holder sent back of the given type ("answer", "candidate", "refused"). */
    public List<JsonNode> heardFromHolder(String dataType) {
        return heard.stream()
                .filter(m -> "signal".equals(m.path("type").asText()) && holder.equals(m.path("from").asText()))
                .map(m -> m.path("data"))
                .filter(d -> dataType.equals(d.path("type").asText()))
                .toList();
    }

    /** Errors the server sent the flooding clients (it rate-limits them too). */
    public List<JsonNode> errors() {
        return heard.stream().filter(m -> "error".equals(m.path("type").asText())).toList();
    }

    public int clientsStillConnected() {
        return (int) attackers.stream().filter(RawSignalingClient::isOpen).count();
    }

    @Override
    public void close() throws Exception {
        stop();
        for (RawSignalingClient c : attackers) {
            c.close();
        }
    }
}
