package io.swarmkeeper.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.RTCIceCandidate;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's WebRTC links, by remote peer id and direction: the links it offered, as the requester
 * of what it fetches, and the links it answered, as a holder serving others. A node that both
 * fetches and serves may hold one of each with the same peer (two seeders fetching from each
 * other), so signals are routed by what they are: an offer starts a link we answer, an answer
 * or a refusal concerns a link we offered, and a candidate goes to the session whose ICE username
 * fragment it names. Offers are answered within {@link LinkLimits} (the rest refused at once,
 * with a reason), candidates that come before their offer are kept, idle links are closed, and
 * links coming and going are reported as events.
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
    /** How long a link that just opened waits for libwebrtc's statistics to say its round-trip time. */
    static final long ROUND_TRIP_WAIT_MILLIS = 1_000;

    /** What the node does with an open link, in one direction. Called on the link's event thread. */
    interface Handler {
        /** {@code roundTrip}: the connection's, from libwebrtc's statistics; null when they did not say. */
        void onOpen(PeerLink link, Duration roundTrip);

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

    /** Links we offered (we request over them), by peer. */
    private final Map<String, PeerLink> offered = new ConcurrentHashMap<>();
    /** Links we answered (we serve over them), by peer. */
    private final Map<String, PeerLink> answered = new ConcurrentHashMap<>();
    /** What we know of each link's peer: why the server matched us, and its role. Dropped when the link closes. */
    private final Map<PeerLink, String> matchReasons = new ConcurrentHashMap<>();
    private final Map<PeerLink, PeerRole> roles = new ConcurrentHashMap<>();
    /** Where each link's peer is, as the server said (city, country); dropped when the link closes. */
    private final Map<PeerLink, Message.Place> places = new ConcurrentHashMap<>();
    /** The ICE username fragment of each offer we made, to tell which offer a refusal is about. */
    private final Map<PeerLink, String> ourOffers = new ConcurrentHashMap<>();
    /** The ICE username fragment of each offer we answered, to tell its candidates from a newer session's. */
    private final Map<PeerLink, String> theirOffers = new ConcurrentHashMap<>();
    /** The ICE username fragment of each answer to an offer of ours, to tell its candidates from the peer's own offer's. */
    private final Map<PeerLink, String> theirAnswers = new ConcurrentHashMap<>();
    /** Links an owner is using (a fetch round): never closed for being idle. Guarded by itself. */
    private final Map<PeerLink, Integer> inUse = new HashMap<>();
    private final Outbound toServer;
    private final SwarmEvents events;
    private final Supplier<String> node;
    private final Handler requesting;
    /** Null while the node serves nothing: offers are then left unanswered (nobody is matched with it as a holder). */
    private volatile Handler serving;
    private volatile LinkConfig config = LinkConfig.withIceServers(List.of());
    private OfferAdmission admission; // guarded by this: offers we answer
    /** How long links we offered stay open unused, for the next fetch from the same holder. */
    private volatile LinkLimits requesterLimits = LinkLimits.requester();
    private final EarlyCandidates early = new EarlyCandidates(); // guarded by this
    private final ScheduledFuture<?> sweeping;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong refusalsSent = new AtomicLong();
    /** How a link that opened learns its round-trip time: libwebrtc's statistics; tests may take them away. */
    private volatile Function<PeerLink, CompletableFuture<Duration>> roundTrips = PeerLink::roundTrip;

    /**
     * @param node       the node's name for its events (its id, or its label before it has one)
     * @param requesting what the node does with links it offered
     * @param timer      the node's scheduler, for the sweep that closes idle links
     */
    PeerLinks(Outbound toServer, SwarmEvents events, Supplier<String> node, Handler requesting,
              ScheduledExecutorService timer) {
        this.toServer = toServer;
        this.events = events;
        this.node = node;
        this.requesting = requesting;
        this.admission = new OfferAdmission(LinkLimits.holder(), System.nanoTime());
        this.sweeping = timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** From now on, answer offers and serve over the links answered with {@code handler}. */
    void serveWith(Handler handler) {
        serving = handler;
    }

    /** Takes the ICE servers the signaling server handed out. */
    void configure(LinkConfig config) {
        this.config = config;
    }

    /** Takes new limits for the links we answer; links already held stay, and offer counts start afresh. */
    synchronized void limitAnswered(LinkLimits limits) {
        admission = new OfferAdmission(limits, System.nanoTime());
    }

    synchronized LinkLimits answeredLimits() {
        return admission.limits();
    }

    /** Takes new limits for the links we offer: how long an idle one is kept for reuse. */
    void limitOffered(LinkLimits limits) {
        requesterLimits = limits;
    }

    LinkLimits offeredLimits() {
        return requesterLimits;
    }

    /** Tests: how a link that opened learns its round-trip time (completing with null: it does not). */
    void measureRoundTripsWith(Function<PeerLink, CompletableFuture<Duration>> measure) {
        roundTrips = measure;
    }

    Duration connectTimeout() {
        return config.connectTimeout();
    }

    /**
     * Opens a link to {@code remoteId} as the offering side, for requests. {@code role} and
     * {@code matchReason} are what the match said of it (null: it did not).
     */
    PeerLink offer(String remoteId, PeerRole role, String matchReason) {
        return offer(remoteId, role, matchReason, null);
    }

    /** As {@link #offer(String, PeerRole, String)}, with where the match said the peer is (null: it did not). */
    PeerLink offer(String remoteId, PeerRole role, String matchReason, Message.Place place) {
        PeerLink link = PeerLink.offer(RtcRuntime.shared(), config, remoteId, new Relay());
        if (place != null) {
            places.put(link, place);
        }
        if (role != null) {
            roles.put(link, role);
        }
        if (matchReason != null) {
            matchReasons.put(link, matchReason);
        }
        PeerLink previous = offered.put(remoteId, link);
        if (previous != null) {
            previous.close("replaced by a new link");
        }
        if (link.isClosed()) { // it failed at once: its onClosed may have run already
            forget(link);
        }
        return link;
    }

    /** The open link we offered to {@code remoteId}, if there is one, for another request. */
    PeerLink openLink(String remoteId) {
        PeerLink link = offered.get(remoteId);
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
        if (unused && idleTimeoutOf(link).isZero()) {
            link.close("no longer needed");
        }
    }

    private boolean inUse(PeerLink link) {
        synchronized (inUse) {
            return inUse.containsKey(link);
        }
    }

    private Duration idleTimeoutOf(PeerLink link) {
        return link.isInitiator() ? requesterLimits.idleTimeout() : answeredLimits().idleTimeout();
    }

    /**
     * A signal arrived from {@code from}: give it to its link, answer (or refuse) a new offer,
     * or keep a candidate until its offer comes. {@code matchReason} is why the server matched
     * us, {@code role} the sender's role (null when the server did not say).
     */
    void onSignal(String from, JsonNode data, String matchReason, PeerRole role) {
        onSignal(from, data, matchReason, role, null);
    }

    /** As {@link #onSignal(String, JsonNode, String, PeerRole)}, with where the server said the sender is (null: it did not). */
    void onSignal(String from, JsonNode data, String matchReason, PeerRole role, Message.Place place) {
        dispatchSignal(from, data, matchReason, role);
        if (place != null) {
            // The peer's place, whichever of its links (the one it offered may have just been made) carries the signal.
            PeerLink theirs = answered.get(from);
            PeerLink ours = offered.get(from);
            if (theirs != null && !theirs.isClosed()) {
                places.put(theirs, place);
            }
            if (ours != null && !ours.isClosed()) {
                places.put(ours, place);
            }
        }
    }

    private void dispatchSignal(String from, JsonNode data, String matchReason, PeerRole role) {
        switch (SignalObjects.kind(data)) {
            case "offer" -> onOffer(from, data, matchReason, role);
            case "candidate" -> onCandidate(from, data, matchReason, role);
            case "refused" -> onRefused(from, data);
            case "answer", "pranswer" -> {
                PeerLink link = live(offered.get(from));
                if (link == null) {
                    log.debug("answer from {} with no offer of ours: ignored", from);
                    return;
                }
                String ufrag = SignalObjects.iceUfrag(data.path("sdp").asText(null));
                if (ufrag != null) {
                    theirAnswers.put(link, ufrag);
                }
                deliver(link, data, matchReason, role);
            }
            default -> {
                // renegotiate, transceiverRequest, or unknown: the link says what it makes of it
                PeerLink link = live(offered.get(from));
                if (link == null) {
                    link = live(answered.get(from));
                }
                if (link == null) {
                    log.debug("signal {} from {} with no link: ignored", SignalObjects.kind(data), from);
                    return;
                }
                deliver(link, data, matchReason, role);
            }
        }
    }

    private static PeerLink live(PeerLink link) {
        return link == null || link.isClosed() ? null : link;
    }

    private synchronized void onOffer(String from, JsonNode data, String matchReason, PeerRole role) {
        if (serving == null) {
            // Nobody is matched with a node that holds nothing; an offer to it is no request to answer.
            log.debug("offer from {} ignored: this node serves nothing", from);
            early.drop(from);
            return;
        }
        PeerLink existing = live(answered.get(from));
        long now = System.nanoTime();
        List<OfferAdmission.Held> held = new ArrayList<>();
        for (PeerLink l : answered.values()) {
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
            PeerLink victim = answered.remove(evict);
            if (victim != null) {
                log.debug("link being set up with {} closed to make room: it offers too often", evict);
                victim.close("closed to make room: the peer makes too many offers");
            }
        }
        if (existing != null) {
            // A fresh offer from a peer we already answer is a new connection (a new DTLS
            // fingerprint): replace the old link rather than renegotiate it.
            answered.remove(from, existing);
            existing.close("replaced by the peer's new offer");
        }
        PeerLink answering = PeerLink.answer(RtcRuntime.shared(), config, from, new Relay());
        PeerLink previous = answered.put(from, answering);
        if (previous != null && previous != answering) {
            previous.close("replaced by the peer's new offer");
        }
        if (ufrag != null) {
            theirOffers.put(answering, ufrag);
        }
        deliver(answering, data, matchReason, role);
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

    /**
     * A candidate goes to the session it names. The peer's candidates for a link we offered carry
     * the username fragment of its answer; those for a link it offered, that of its offer. One
     * that names neither belongs to an offer of the peer still on its way (kept for it), or to our
     * offer's answer still on its way. One that names no fragment (some peers write none) goes to
     * the only link with that peer, or, with two, to those still being set up: a candidate of the
     * other session only adds a pair whose checks fail.
     */
    private void onCandidate(String from, JsonNode data, String matchReason, PeerRole role) {
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
            PeerLink ours = live(offered.get(from));
            PeerLink theirs = live(answered.get(from));
            String named = SignalObjects.candidateUfrag(candidate.sdp);
            if (named == null) {
                if (ours != null && theirs != null && ours.isOpen() != theirs.isOpen()) {
                    deliver(ours.isOpen() ? theirs : ours, data, matchReason, role);
                    return;
                }
                if (ours != null || theirs != null) {
                    if (ours != null) {
                        deliver(ours, data, matchReason, role);
                    }
                    if (theirs != null) {
                        deliver(theirs, data, matchReason, role);
                    }
                    return;
                }
            } else {
                String answer = ours == null ? null : theirAnswers.get(ours);
                if (ours != null && named.equals(answer)) {
                    deliver(ours, data, matchReason, role);
                    return;
                }
                if (theirs != null && named.equals(theirOffers.get(theirs))) {
                    deliver(theirs, data, matchReason, role);
                    return;
                }
                if (theirs != null && theirOffers.get(theirs) == null && (ours == null || answer != null)) {
                    deliver(theirs, data, matchReason, role); // an offer whose fragment we could not read
                    return;
                }
                if (ours != null && answer == null) {
                    // Most likely our offer's answer is on its way; it could also be the peer's next
                    // offer's, so it is kept for that too (kept candidates of another session are not applied).
                    deliver(ours, data, matchReason, role);
                }
                // Another session than the one we answered: the peer's next offer is on its way.
            }
            if (!early.keep(from, data, System.nanoTime())) {
                log.debug("candidate from {} before any offer dropped: too many kept", from);
            }
        }
    }

    private void onRefused(String from, JsonNode data) {
        PeerLink link = offered.get(from);
        if (link == null || link.isOpen() || link.isClosed()) {
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

    private void deliver(PeerLink link, JsonNode data, String matchReason, PeerRole role) {
        if (matchReason != null) {
            matchReasons.put(link, matchReason);
        }
        if (role != null) {
            roles.put(link, role);
        }
        if (link.isClosed()) { // it closed meanwhile: its onClosed may have run already
            forget(link);
        }
        link.acceptSignal(data);
    }

    /** The server says {@code peerId} left: drop our links to it. */
    void onPeerGone(String peerId) {
        for (Map<String, PeerLink> links : List.of(offered, answered)) {
            PeerLink link = links.remove(peerId);
            if (link != null) {
                link.close("the peer left the signaling server");
            }
        }
        synchronized (this) {
            early.drop(peerId);
        }
    }

    /** Links open or being set up, both ways. */
    int size() {
        return offered.size() + answered.size();
    }

    /** Links we offered (for our requests), open or being set up. */
    int offeredCount() {
        return offered.size();
    }

    /** Links we answered (serving others), open or being set up. */
    int answeredCount() {
        return answered.size();
    }

    /** Links we answered that are being set up: the offer answered, the data channel not open yet. */
    int answeredPending() {
        return (int) answered.values().stream().filter(l -> !l.isClosed() && !l.isOpen()).count();
    }

    /** Offers refused since this node started, and refusals sent (a flooding peer is not told of each). */
    record Refusals(long refused, long sent) {}

    Refusals refusals() {
        return new Refusals(refused.get(), refusalsSent.get());
    }

    void closeAll() {
        sweeping.cancel(false);
        for (Map<String, PeerLink> links : List.of(offered, answered)) {
            for (PeerLink link : links.values()) {
                link.close();
            }
            links.clear();
        }
    }

    /** Closes open links that nothing used for their idle timeout; forgets stale counts and candidates. */
    private void sweep() {
        try {
            for (Map<String, PeerLink> links : List.of(offered, answered)) {
                for (PeerLink link : links.values()) {
                    Duration idle = idleTimeoutOf(link);
                    if (link.isOpen() && !inUse(link) && link.idleNanos() >= idle.toNanos()) {
                        link.close("idle for " + idle.toSeconds() + " s");
                    }
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

    private void forget(PeerLink link) {
        matchReasons.remove(link);
        roles.remove(link);
        places.remove(link);
        ourOffers.remove(link);
        theirOffers.remove(link);
        theirAnswers.remove(link);
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
            Duration roundTrip = measure(link);
            events.publish(new SwarmEvent.PeerLinked(Instant.now(), node.get(), link.remoteId(), link.isInitiator(),
                    roles.get(link), matchReasons.get(link), roundTrip, places.get(link)));
            Handler handler = handlerOf(link);
            if (handler != null) {
                handler.onOpen(link, roundTrip);
            } else {
                link.close("this node serves nothing");
            }
        }

        @Override
        public void onMessage(PeerLink link, byte[] message) {
            Handler handler = handlerOf(link);
            if (handler != null) {
                handler.onMessage(link, message);
            }
        }

        @Override
        public void onClosed(PeerLink link, String reason) {
            (link.isInitiator() ? offered : answered).remove(link.remoteId(), link);
            forget(link);
            synchronized (inUse) {
                inUse.remove(link);
            }
            events.publish(new SwarmEvent.PeerUnlinked(Instant.now(), node.get(), link.remoteId(), link.isInitiator(), reason));
            Handler handler = handlerOf(link);
            if (handler != null) {
                handler.onClosed(link, reason);
            }
        }

        private Handler handlerOf(PeerLink link) {
            return link.isInitiator() ? requesting : serving;
        }

        /**
         * The round-trip time libwebrtc measured for the link that just opened (its statistics
         * arrive on libwebrtc's thread, so waiting here, on the link's own, is safe); null when
         * they do not say within {@link #ROUND_TRIP_WAIT_MILLIS}.
         */
        private Duration measure(PeerLink link) {
            try {
                return roundTrips.apply(link).get(ROUND_TRIP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                log.debug("no round-trip time for the link to {}: {}", link.remoteId(), e.toString());
                return null;
            }
        }
    }
}
