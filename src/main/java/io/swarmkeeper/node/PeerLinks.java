package io.swarmkeeper.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.RTCIceCandidate;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import io.swarmkeeper.rtc.SignalObjects;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's WebRTC links, by remote peer id: routes signals between the signaling server and each
 * link, answers offers within {@link LinkLimits} (refusing the rest at once, with a reason),
 * keeps candidates that come before their offer, closes idle links, and reports links coming and
 * going as events.
 */
final class PeerLinks {
    private static final Logger log = LoggerFactory.getLogger(PeerLinks.class);
    /** How a link refused by its peer is closed: this, then the peer's reason. */
    static final String REFUSED = "refused by the peer: ";
    /** A refusal is worth sending for this long; after it, its offerer has given up anyway. */
    static final long REFUSAL_TTL_NANOS = 10_000_000_000L;
    /** Candidates that came before their offer are kept this long (docs/protocol.md, section 1). */
    static final long EARLY_CANDIDATE_TTL_NANOS = 10_000_000_000L;
    static final int MAX_EARLY_CANDIDATES_PER_PEER = 16;
    static final int MAX_EARLY_CANDIDATE_PEERS = 64;
    /** How often idle links and stale bookkeeping are looked for. */
    static final long SWEEP_MILLIS = 500;

    /** What the node does with an open link. Called on the link's event thread. */
    interface Handler {
        void onOpen(PeerLink link);

        void onMessage(PeerLink link, byte[] message);

        void onClosed(PeerLink link, String reason);
    }

    /** Where signals go: the signaling connection, bounded, dropping what is no longer wanted. */
    interface Outbound {
        /** Sends {@code message} while {@code wanted} holds; false when it was dropped at once. */
        boolean send(Message message, BooleanSupplier wanted);

        /** Sends {@code message}, while {@code wanted} holds, when nothing else waits to be sent. */
        void sendWhenIdle(Message message, BooleanSupplier wanted);

        /** Through the node's signaling connection of the moment (none yet: dropped). */
        static Outbound through(java.util.function.Supplier<SignalingClient> signaling) {
            return new Outbound() {
                @Override
                public boolean send(Message message, BooleanSupplier wanted) {
                    SignalingClient s = signaling.get();
                    return s != null && s.sendWhile(message, wanted);
                }

                @Override
                public void sendWhenIdle(Message message, BooleanSupplier wanted) {
                    SignalingClient s = signaling.get();
                    if (s != null) {
                        s.sendWhenIdle(message, wanted);
                    }
                }
            };
        }
    }

    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    /** Why the server matched us with each link's peer, as its relayed signals say; dropped when the link closes. */
    private final Map<PeerLink, String> matchReasons = new ConcurrentHashMap<>();
    /** The ICE username fragment of each offer we made, to tell which offer a refusal is about. */
    private final Map<PeerLink, String> ourOffers = new ConcurrentHashMap<>();
    /** The ICE username fragment of each offer we answered, to tell its candidates from a newer session's. */
    private final Map<PeerLink, String> theirOffers = new ConcurrentHashMap<>();
    /** Links an owner is using (a fetch round): never closed for being idle. Guarded by itself. */
    private final Map<PeerLink, Integer> inUse = new HashMap<>();
    private final Outbound toServer;
    private final SwarmEvents events;
    private final Handler handler;
    private volatile LinkConfig config = LinkConfig.withIceServers(List.of());
    private OfferAdmission admission; // guarded by this
    private final EarlyCandidates early = new EarlyCandidates(); // guarded by this
    private final ScheduledFuture<?> sweeping;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong refusalsSent = new AtomicLong();

    /** {@code timer}: the owner's scheduler, for the sweep that closes idle links. */
    PeerLinks(Outbound toServer, SwarmEvents events, Handler handler, LinkLimits limits, ScheduledExecutorService timer) {
        this.toServer = toServer;
        this.events = events;
        this.handler = handler;
        this.admission = new OfferAdmission(limits, System.nanoTime());
        this.sweeping = timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Takes the ICE servers the signaling server handed out. */
    void configure(LinkConfig config) {
        this.config = config;
    }

    /** Takes new limits; links already held stay, and offer counts start afresh. */
    synchronized void limit(LinkLimits limits) {
        admission = new OfferAdmission(limits, System.nanoTime());
    }

    synchronized LinkLimits limits() {
        return admission.limits();
    }

    Duration connectTimeout() {
        return config.connectTimeout();
    }

    /** Opens a link to {@code remoteId} as the offering side. */
    PeerLink offer(String remoteId) {
        PeerLink link = PeerLink.offer(RtcRuntime.shared(), config, remoteId, new Relay());
        PeerLink previous = links.put(remoteId, link);
        if (previous != null) {
            previous.close("replaced by a new link");
        }
        return link;
    }

    /** The open link to {@code remoteId}, if there is one, for another request. */
    PeerLink openLink(String remoteId) {
        PeerLink link = links.get(remoteId);
        return link != null && link.isOpen() ? link : null;
    }

    /** The owner uses {@code link} until {@link #release}: it is not closed for being idle meanwhile. */
    void use(PeerLink link) {
        synchronized (inUse) {
            inUse.merge(link, 1, Integer::sum);
        }
    }

    /** The owner is done with {@code link} for now; with a zero idle timeout, it closes at once when nothing uses it. */
    void release(PeerLink link) {
        boolean unused;
        synchronized (inUse) {
            Integer n = inUse.get(link);
            if (n == null) {
                return;
            }
            unused = n <= 1;
            if (unused) {
                inUse.remove(link);
            } else {
                inUse.put(link, n - 1);
            }
        }
        if (unused && limits().idleTimeout().isZero()) {
            link.close("no longer needed");
        }
    }

    private boolean inUse(PeerLink link) {
        synchronized (inUse) {
            return inUse.containsKey(link);
        }
    }

    /**
     * A signal arrived from {@code from}: give it to its link, answer (or refuse) a new offer,
     * or keep a candidate until its offer comes. {@code matchReason} is why the server matched
     * us (null if it did not say).
     */
    void onSignal(String from, JsonNode data, String matchReason) {
        switch (SignalObjects.kind(data)) {
            case "offer" -> onOffer(from, data, matchReason);
            case "candidate" -> onCandidate(from, data, matchReason);
            case "refused" -> onRefused(from, data);
            default -> {
                PeerLink link = links.get(from);
                if (link == null || link.isClosed()) {
                    log.debug("signal {} from {} with no link: ignored", SignalObjects.kind(data), from);
                    return;
                }
                deliver(link, data, matchReason);
            }
        }
    }

    private synchronized void onOffer(String from, JsonNode data, String matchReason) {
        PeerLink existing = links.get(from);
        if (existing != null && existing.isClosed()) {
            existing = null;
        }
        if (existing != null && existing.isInitiator()) {
            log.debug("offer from {} ignored: we offered to it ourselves", from); // our link stands
            return;
        }
        long now = System.nanoTime();
        List<OfferAdmission.Held> held = new ArrayList<>();
        for (PeerLink l : links.values()) {
            if (!l.isClosed()) {
                held.add(new OfferAdmission.Held(l.remoteId(), !l.isOpen(), l.ageNanos()));
            }
        }
        String ufrag = SignalObjects.iceUfrag(data.path("sdp").asText(null));
        OfferAdmission.Decision decision = admission.offer(from, held, now);
        if (decision instanceof OfferAdmission.Refuse refusal) {
            refuse(from, refusal, ufrag);
            return;
        }
        String evict = ((OfferAdmission.Answer) decision).evict();
        if (evict != null) {
            PeerLink victim = links.remove(evict);
            if (victim != null) {
                log.debug("link being set up with {} closed to make room: it offers too often", evict);
                victim.close("closed to make room: the peer makes too many offers");
            }
        }
        if (existing != null) {
            // A fresh offer from a peer we already answer is a new connection (a new DTLS
            // fingerprint): replace the old link rather than renegotiate it.
            links.remove(from, existing);
            existing.close("replaced by the peer's new offer");
        }
        PeerLink answering = PeerLink.answer(RtcRuntime.shared(), config, from, new Relay());
        PeerLink previous = links.put(from, answering);
        if (previous != null && previous != answering) {
            previous.close("replaced by the peer's new offer");
        }
        if (ufrag != null) {
            theirOffers.put(answering, ufrag);
        }
        deliver(answering, data, matchReason);
        for (JsonNode candidate : early.take(from, ufrag)) {
            answering.acceptSignal(candidate);
        }
    }

    private void refuse(String from, OfferAdmission.Refuse refusal, String ufrag) {
        refused.incrementAndGet();
        early.drop(from);
        log.debug("offer from {} refused: {}{}", from, refusal.reason(), refusal.tell() ? "" : " (not told)");
        if (refusal.tell()) {
            long until = System.nanoTime() + REFUSAL_TTL_NANOS;
            // Never ahead of the signals of links being set up: those are what serves peers.
            toServer.sendWhenIdle(new Message.Signal(from, null, SignalObjects.refused(refusal.reason(), ufrag)),
                    () -> System.nanoTime() - until < 0);
            refusalsSent.incrementAndGet();
        }
    }

    private void onCandidate(String from, JsonNode data, String matchReason) {
        RTCIceCandidate candidate;
        try {
            candidate = SignalObjects.toCandidate(data);
        } catch (IllegalArgumentException e) {
            log.debug("bad candidate from {}: {}", from, e.getMessage());
            return;
        }
        if (candidate == null) {
            return; // end of candidates
        }
        synchronized (this) {
            PeerLink link = links.get(from);
            if (link != null && !link.isClosed()) {
                String named = SignalObjects.candidateUfrag(candidate.sdp);
                String answered = link.isInitiator() ? null : theirOffers.get(link);
                if (named == null || answered == null || named.equals(answered)) {
                    deliver(link, data, matchReason);
                    return;
                }
                // It names another session than the one we answered: the peer's next offer is on its way.
            }
            if (!early.keep(from, data, System.nanoTime())) {
                log.debug("candidate from {} before any offer dropped: too many kept", from);
            }
        }
    }

    private void onRefused(String from, JsonNode data) {
        PeerLink link = links.get(from);
        if (link == null || !link.isInitiator() || link.isOpen() || link.isClosed()) {
            log.debug("refusal from {} with no offer of ours waiting: ignored", from);
            return;
        }
        String about = data.path("ufrag").isTextual() ? data.get("ufrag").asText() : null;
        String ours = ourOffers.get(link);
        if (about != null && ours != null && !about.equals(ours)) {
            log.debug("refusal from {} of an earlier offer: ignored", from);
            return;
        }
        String reason = data.path("reason").isTextual() ? data.get("reason").asText() : "no reason given";
        if (reason.length() > 64) {
            reason = reason.substring(0, 64) + "…";
        }
        link.close(REFUSED + reason);
    }

    private void deliver(PeerLink link, JsonNode data, String matchReason) {
        if (matchReason != null) {
            matchReasons.put(link, matchReason);
            if (link.isClosed()) { // it closed meanwhile: its onClosed may have run already
                matchReasons.remove(link);
            }
        }
        link.acceptSignal(data);
    }

    /** The server says {@code peerId} left: drop our link to it. */
    void onPeerGone(String peerId) {
        PeerLink link = links.remove(peerId);
        if (link != null) {
            link.close("the peer left the signaling server");
        }
        synchronized (this) {
            early.drop(peerId);
        }
    }

    /** Links open or being set up. */
    int size() {
        return links.size();
    }

    /** Links being set up: an offer made or answered, the data channel not open yet. */
    int pending() {
        return (int) links.values().stream().filter(l -> !l.isClosed() && !l.isOpen()).count();
    }

    /** Offers refused since this node started, and refusals sent (a flooding peer is not told of each). */
    record Refusals(long refused, long sent) {}

    Refusals refusals() {
        return new Refusals(refused.get(), refusalsSent.get());
    }

    void closeAll() {
        sweeping.cancel(false);
        for (PeerLink link : links.values()) {
            link.close();
        }
        links.clear();
    }

    /** Closes open links that nothing used for the idle timeout; forgets stale counts and candidates. */
    private void sweep() {
        try {
            Duration idle = limits().idleTimeout();
            for (PeerLink link : links.values()) {
                if (link.isOpen() && !inUse(link) && link.idleNanos() >= idle.toNanos()) {
                    link.close("idle for " + idle.toSeconds() + " s");
                }
            }
            long now = System.nanoTime();
            synchronized (this) {
                admission.prune(now);
                early.expire(now);
            }
        } catch (RuntimeException e) {
            log.warn("sweeping links: {}", e.toString()); // and sweep again next time
        }
    }

    /** Starts a timer thread for a node's links; the node shuts it down when it closes. */
    static ScheduledExecutorService timer(String name) {
        return java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Candidates that came before their offer (simple-peer on node-datachannel sends them first),
     * kept per peer, a few and for a short while, and handed to the link the offer starts.
     */
    private static final class EarlyCandidates {
        private record Kept(List<JsonNode> signals, long since) {}

        private final Map<String, Kept> byPeer = new HashMap<>();

        /** False when the candidate was dropped: too many kept already. */
        boolean keep(String peer, JsonNode signal, long now) {
            expire(now);
            Kept kept = byPeer.get(peer);
            if (kept == null) {
                if (byPeer.size() >= MAX_EARLY_CANDIDATE_PEERS) {
                    return false;
                }
                kept = new Kept(new ArrayList<>(), now);
                byPeer.put(peer, kept);
            }
            if (kept.signals().size() >= MAX_EARLY_CANDIDATES_PER_PEER) {
                return false;
            }
            kept.signals().add(signal.deepCopy());
            return true;
        }

        /** The candidates {@code peer} sent for the offer whose username fragment is {@code ufrag} (all when unknown). */
        List<JsonNode> take(String peer, String ufrag) {
            Kept kept = byPeer.remove(peer);
            if (kept == null) {
                return List.of();
            }
            List<JsonNode> matching = new ArrayList<>();
            for (JsonNode signal : kept.signals()) {
                String named = null;
                try {
                    RTCIceCandidate c = SignalObjects.toCandidate(signal);
                    named = c == null ? null : SignalObjects.candidateUfrag(c.sdp);
                } catch (IllegalArgumentException ignored) {
                    // checked when kept
                }
                if (ufrag == null || named == null || named.equals(ufrag)) {
                    matching.add(signal);
                }
            }
            return matching;
        }

        void drop(String peer) {
            byPeer.remove(peer);
        }

        void expire(long now) {
            byPeer.values().removeIf(k -> now - k.since() > EARLY_CANDIDATE_TTL_NANOS);
        }
    }

    private final class Relay implements PeerLink.Listener {
        @Override
        public void onSignal(PeerLink link, ObjectNode signal) {
            if (link.isInitiator() && "offer".equals(SignalObjects.kind(signal))) {
                String ufrag = SignalObjects.iceUfrag(signal.path("sdp").asText(null));
                if (ufrag != null) {
                    ourOffers.put(link, ufrag);
                }
            }
            // Worth sending only while the link lives: an answer to an offer that timed out is dropped unsent.
            if (!toServer.send(new Message.Signal(link.remoteId(), null, signal), () -> !link.isClosed())) {
                link.close("signaling queue full");
            }
        }

        @Override
        public void onOpen(PeerLink link) {
            events.publish(new SwarmEvent.PeerLinked(Instant.now(), link.remoteId(), link.isInitiator(),
                    matchReasons.get(link)));
            handler.onOpen(link);
        }

        @Override
        public void onMessage(PeerLink link, byte[] message) {
            handler.onMessage(link, message);
        }

        @Override
        public void onClosed(PeerLink link, String reason) {
            links.remove(link.remoteId(), link);
            matchReasons.remove(link);
            ourOffers.remove(link);
            theirOffers.remove(link);
            synchronized (inUse) {
                inUse.remove(link);
            }
            events.publish(new SwarmEvent.PeerUnlinked(Instant.now(), link.remoteId(), reason));
            handler.onClosed(link, reason);
        }
    }
}
