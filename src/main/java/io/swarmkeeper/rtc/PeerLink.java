package io.swarmkeeper.rtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import io.swarmkeeper.protocol.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebRTC connection to one remote peer, carrying one reliable, ordered data channel.
 *
 * <p>libwebrtc calls back on its own signalling thread; every callback here only copies what it
 * needs and hands it to this link's event thread, so the listener never runs on (or blocks)
 * libwebrtc's thread. {@link #send} blocks its caller while the channel's buffer is full: call it
 * from a worker thread, never from the listener.
 */
public final class PeerLink implements AutoCloseable {
    /** Largest message this link sends; libwebrtc silently closes the channel past 262,144 bytes. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;
    /** Above this many buffered bytes, senders wait (webrtc-java silently closes near 16 MiB). */
    static final long HIGH_WATER_BYTES = 2L * 1024 * 1024;
    static final String CHANNEL_LABEL = "swarmkeeper";
    /** Remote candidates kept while the remote description is not set yet; more are dropped (a peer may send any number). */
    static final int MAX_PENDING_CANDIDATES = 64;

    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

    /** What a link tells its owner. Called on the link's event thread, in order. */
    public interface Listener {
        /** A signal object to deliver to the remote peer (through the signaling server). */
        void onSignal(PeerLink link, ObjectNode signal);

        default void onOpen(PeerLink link) {}

        void onMessage(PeerLink link, byte[] message);

        default void onClosed(PeerLink link, String reason) {}
    }

    private final String remoteId;
    private final boolean initiator;
    private final LinkConfig config;
    private final Listener listener;
    private final ExecutorService events;
    private final RTCPeerConnection connection;
    private final RtcRuntime madeBy; // the runtime whose factory made the connection
    private final CompletableFuture<PeerLink> opened = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object sendLock = new Object();
    private final List<RTCIceCandidate> pendingCandidates = new ArrayList<>();
    private volatile RTCDataChannel channel;
    /** The link's event thread, once it started: where native calls are made. */
    private volatile Thread eventThread;
    private volatile String channelProtocol = "";
    private volatile String closeReason;
    private final long createdAt = System.nanoTime();
    /** When a message last went either way (or the link was made), for idle links; System.nanoTime(). */
    private volatile long lastActivity = createdAt;
    /** A send is under way, perhaps waiting for the peer to drain: the link is not idle. */
    private volatile boolean sending;
    private boolean remoteDescriptionSet; // event thread only
    private boolean localDescriptionSet; // event thread only (non-trickle)
    private boolean gatheringComplete; // event thread only (non-trickle)
    private boolean wholeDescriptionSent; // event thread only (non-trickle)
    private final List<SetupStep> setup = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * One step of a link's setup and when it happened ({@link System#nanoTime()}): {@code created},
     * {@code description-created} (our offer or answer), {@code description-sent} (after gathering
     * when not trickling), {@code remote-description}, {@code ice-connected}, {@code dtls-connected}
     * (the connection's state: ICE and DTLS done), {@code channel-open} (SCTP and the channel's
     * own handshake done). Each is stamped when libwebrtc reports it, on its thread; it reports a
     * remote description set after posting its success, so on a fast path that report may come
     * after {@code dtls-connected}.
     */
    public record SetupStep(String name, long nanos) {}

    private PeerLink(RtcRuntime runtime, LinkConfig config, String remoteId, boolean initiator, Listener listener) {
        this.remoteId = remoteId;
        this.initiator = initiator;
        this.config = config;
        this.listener = listener;
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "link-" + remoteId);
            t.setDaemon(true);
            eventThread = t;
            return t;
        });
        RtcRuntime[] made = new RtcRuntime[1];
        setup.add(new SetupStep("created", createdAt));
        this.connection = runtime.connect(rtcConfiguration(config), detachable(new ConnectionObserver()), made);
        this.madeBy = made[0];
    }

    /** The steps of this link's setup so far, in the order they happened, each once. */
    public List<SetupStep> setupSteps() {
        return List.copyOf(setup);
    }

    /** Notes a setup step the first time it happens; any thread. */
    private void step(String name) {
        long now = System.nanoTime();
        synchronized (setup) {
            if (setup.stream().noneMatch(s -> s.name().equals(name))) {
                setup.add(new SetupStep(name, now));
            }
        }
    }

    /** Starts a link as the side that offers: creates the data channel and emits an offer signal. */
    public static PeerLink offer(RtcRuntime runtime, LinkConfig config, String remoteId, Listener listener) {
        PeerLink link = new PeerLink(runtime, config, remoteId, true, listener);
        link.events.execute(link::startOffer);
        link.armConnectTimeout();
        return link;
    }

    /** Starts a link as the side that answers; feed it the remote offer with {@link #acceptSignal}. */
    public static PeerLink answer(RtcRuntime runtime, LinkConfig config, String remoteId, Listener listener) {
        PeerLink link = new PeerLink(runtime, config, remoteId, false, listener);
        link.armConnectTimeout();
        return link;
    }

    /** Closed links whose native connection was freed, and those whose native connection stayed in memory. */
    public record NativeConnections(long freed, long kept) {}

    /** How many closed links' native connections were freed or kept since the process started (leak diagnostics). */
    public static NativeConnections nativeConnections() {
        return new NativeConnections(ClosedConnectionRelease.freed(), ClosedConnectionRelease.kept());
    }

    public String remoteId() {
        return remoteId;
    }

    public boolean isInitiator() {
        return initiator;
    }

    /** Completes when the data channel is open; fails when the link closes first. */
    public CompletableFuture<PeerLink> opened() {
        return opened;
    }

    public boolean isOpen() {
        // A channel that closes closes the link too, so these two facts say it all.
        return !closed.get() && opened.isDone() && !opened.isCompletedExceptionally();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * The data channel's protocol field: the transfer protocol's version, as the side that created
     * the channel named it ("" before the channel exists, or when that side named none).
     */
    public String channelProtocol() {
        String p = channelProtocol;
        return p == null ? "" : p;
    }

    /** Why the link closed, or null while it is up. */
    public String closeReason() {
        return closeReason;
    }

    /** How long ago this link was made. */
    public long ageNanos() {
        return System.nanoTime() - createdAt;
    }

    /**
     * How long no message went either way on this link (since it was made, if none did); zero
     * while a send is under way.
     */
    public long idleNanos() {
        return sending ? 0 : System.nanoTime() - lastActivity;
    }

    /**
     * The round-trip time of the connection's selected candidate pair, as libwebrtc's statistics
     * give it (its ICE consent checks measure it, so it is known as soon as the link opened):
     * completes with null when the statistics do not say, or the link is closed. Thread-safe;
     * the statistics arrive on libwebrtc's thread, so a caller may wait for them on its own, the
     * link's listener included (called on the link's thread, it asks at once rather than queue).
     */
    public CompletableFuture<java.time.Duration> roundTrip() {
        CompletableFuture<java.time.Duration> rtt = new CompletableFuture<>();
        Runnable ask = () -> {
            if (closed.get()) {
                rtt.complete(null);
                return;
            }
            try {
                connection.getStats(remember(new StatsForwarder(report -> rtt.complete(selectedPairRoundTrip(report)))));
            } catch (RuntimeException e) {
                log.debug("no statistics for the link to {}: {}", remoteId, e.toString());
                rtt.complete(null);
            }
        };
        if (Thread.currentThread() == eventThread) {
            ask.run();
        } else {
            post(ask);
        }
        if (closed.get()) { // posted after teardown: never runs
            rtt.complete(null);
        }
        return rtt;
    }

    /** The nominated, succeeded candidate pair's {@code currentRoundTripTime} (seconds), or null. */
    static java.time.Duration selectedPairRoundTrip(dev.onvoid.webrtc.RTCStatsReport report) {
        for (dev.onvoid.webrtc.RTCStats stats : report.getStats().values()) {
            if (stats.getType() != dev.onvoid.webrtc.RTCStatsType.CANDIDATE_PAIR) {
                continue;
            }
            java.util.Map<String, Object> a = stats.getAttributes();
            if (Boolean.TRUE.equals(a.get("nominated")) && "succeeded".equals(String.valueOf(a.get("state")))
                    && a.get("currentRoundTripTime") instanceof Number seconds) {
                return java.time.Duration.ofNanos(Math.round(seconds.doubleValue() * 1e9));
            }
        }
        return null;
    }

    /** Applies a signal object from the remote peer (offer, answer, candidate). Thread-safe. */
    public void acceptSignal(JsonNode signal) {
        events.execute(() -> applySignal(signal));
    }

    /**
     * Sends one binary message, waiting while the channel's buffer is above the high-water mark.
     * Throws when the link is closed or the peer stops draining.
     */
    public void send(byte[] message) throws IOException {
        send(ByteBuffer.wrap(message));
    }

    /**
     * Sends the buffer's remaining bytes as one binary message, as {@link #send(byte[])}. A direct
     * buffer goes to libwebrtc without a copy on the Java heap; the buffer is free again when this
     * returns.
     */
    public void send(ByteBuffer message) throws IOException {
        if (message.remaining() > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("message of " + message.remaining() + " bytes exceeds " + MAX_MESSAGE_BYTES);
        }
        synchronized (sendLock) {
            RTCDataChannel c = channel;
            if (c == null || !opened.isDone()) {
                throw new IOException("link to " + remoteId + " is not open");
            }
            sending = true;
            try {
                sendOn(c, message);
            } finally {
                lastActivity = System.nanoTime();
                sending = false;
            }
        }
    }

    /** Holds {@link #sendLock}. */
    private void sendOn(RTCDataChannel c, ByteBuffer message) throws IOException {
        long waitingSince = 0;
        while (true) {
            if (closed.get() || c.getState() != RTCDataChannelState.OPEN) {
                throw new IOException("link to " + remoteId + " closed"
                        + (closeReason == null ? "" : ": " + closeReason));
            }
            if (c.getBufferedAmount() + message.remaining() <= HIGH_WATER_BYTES) {
                break;
            }
            long now = System.nanoTime();
            if (waitingSince == 0) {
                waitingSince = now;
            } else if (now - waitingSince > config.sendStallTimeout().toNanos()) {
                throw new IOException("peer " + remoteId + " stopped reading for "
                        + config.sendStallTimeout().toSeconds() + " s");
            }
            // onBufferedAmountChange never fires in webrtc-java 0.14.0: poll.
            LockSupport.parkNanos(200_000);
        }
        try {
            // webrtc-java sends a heap buffer's whole backing array, and a direct buffer from its
            // start to its capacity: either must be exactly the message.
            ByteBuffer exact;
            if (message.isDirect()) {
                exact = message.slice();
            } else if (message.arrayOffset() == 0 && message.position() == 0 && message.remaining() == message.array().length) {
                exact = message;
            } else {
                exact = ByteBuffer.wrap(java.util.Arrays.copyOfRange(message.array(),
                        message.arrayOffset() + message.position(), message.arrayOffset() + message.limit()));
            }
            c.send(new RTCDataChannelBuffer(exact, true));
            message.position(message.limit());
        } catch (Exception e) {
            throw new IOException("send to " + remoteId + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Closes the link and frees its native resources. Idempotent; callable from any of our
     * threads (never from a libwebrtc callback). The native teardown itself runs on the link's
     * event thread, so that it never races a native call made there.
     */
    @Override
    public void close() {
        closeWith("closed locally");
    }

    /** Closes the link, giving {@code reason} as why (its {@link #closeReason()} and the listener's). */
    public void close(String reason) {
        closeWith(reason);
    }

    /**
     * Marks the link closed and posts the teardown to the event thread. Safe from any thread,
     * libwebrtc's callbacks included: nothing native happens here.
     */
    private void closeWith(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        // Waiters learn at once; the teardown follows on the event thread.
        opened.completeExceptionally(new IOException("link to " + remoteId + " closed: " + reason));
        try {
            events.execute(() -> teardown(reason));
        } catch (RejectedExecutionException e) {
            teardown(reason);
        }
    }

    /** Event thread only (or after it stopped): the shutdown order webrtc-java needs. */
    private void teardown(String reason) {
        try {
            synchronized (sendLock) {
                RTCDataChannel c = channel;
                channel = null;
                if (c != null) {
                    disposeChannel(c);
                }
            }
            long handle = ClosedConnectionRelease.handleOf(connection);
            boolean closeReturned = false;
            try {
                connection.close();
                closeReturned = true;
            } catch (RuntimeException e) {
                log.warn("closing link to {}: {}", remoteId, e.toString());
            }
            // webrtc-java keeps its own reference to every connection after close(): drop it.
            madeBy.connectionDone(ClosedConnectionRelease.afterClose(connection, closeReturned, handle));
        } finally {
            detachAll();
            log.debug("link to {} closed: {}", remoteId, reason);
            try {
                listener.onClosed(this, reason);
            } finally {
                events.shutdown();
            }
        }
    }

    /** Closes and frees a data channel; a failure is logged, so that the connection still gets closed. */
    private void disposeChannel(RTCDataChannel c) {
        try {
            c.unregisterObserver();
            c.close();
            c.dispose();
        } catch (RuntimeException e) {
            log.warn("closing the channel to {}: {}", remoteId, e.toString());
        } catch (Error e) {
            if (e.getClass() != Error.class) {
                throw e;
            }
            // webrtc-java's way of saying another reference to the channel remains.
            log.warn("closing the channel to {}: {}", remoteId, e.getMessage());
        }
    }

    private void armConnectTimeout() {
        CompletableFuture.delayedExecutor(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!opened.isDone()) {
                closeWith("no connection within " + config.connectTimeout().toSeconds() + " s");
            }
        });
    }

    private static RTCConfiguration rtcConfiguration(LinkConfig config) {
        RTCConfiguration rtc = new RTCConfiguration();
        for (Message.IceServer server : config.iceServers()) {
            RTCIceServer ice = new RTCIceServer();
            ice.urls = new ArrayList<>(server.urls());
            ice.username = server.username();
            ice.password = server.credential();
            rtc.iceServers.add(ice);
        }
        PortAllocatorConfig ports = new PortAllocatorConfig();
        ports.setDisableTcp(true);
        rtc.portAllocatorConfig = ports;
        return rtc;
    }

    // ---- event thread ------------------------------------------------------------------------

    private void startOffer() {
        if (closed.get()) {
            return;
        }
        RTCDataChannelInit init = new RTCDataChannelInit();
        init.ordered = true;
        init.protocol = config.channelProtocol(); // the transfer protocol's version, read by the answering side
        RTCDataChannel c = connection.createDataChannel(CHANNEL_LABEL, init);
        adoptChannel(c);
        connection.createOffer(new RTCOfferOptions(), detachable(new DescriptionCreated()));
    }

    private void applySignal(JsonNode signal) {
        if (closed.get()) {
            return;
        }
        String kind = SignalObjects.kind(signal);
        try {
            switch (kind) {
                case "offer", "answer", "pranswer" -> {
                    RTCSessionDescription description = SignalObjects.toDescription(signal);
                    boolean isOffer = "offer".equals(kind);
                    if (isOffer == initiator) {
                        log.warn("ignoring {} from {}: wrong direction for this link", kind, remoteId);
                        return;
                    }
                    connection.setRemoteDescription(description, detachable(new RemoteDescriptionSet(isOffer)));
                }
                case "candidate" -> {
                    RTCIceCandidate candidate = SignalObjects.toCandidate(signal);
                    if (candidate == null) {
                        return;
                    }
                    if (remoteDescriptionSet) {
                        addCandidate(candidate);
                    } else if (pendingCandidates.size() < MAX_PENDING_CANDIDATES) {
                        pendingCandidates.add(candidate);
                    } else {
                        log.debug("candidate from {} dropped: {} already wait for the remote description",
                                remoteId, MAX_PENDING_CANDIDATES);
                    }
                }
                case "renegotiate", "transceiverRequest" ->
                        log.debug("ignoring {} from {}: data-only link", kind, remoteId);
                default -> log.warn("ignoring signal of unknown kind \"{}\" from {}", kind, remoteId);
            }
        } catch (RuntimeException e) {
            log.warn("bad signal from {}: {}", remoteId, e.getMessage());
        }
    }

    private void onRemoteDescriptionSet(boolean wasOffer) {
        if (closed.get()) {
            return;
        }
        remoteDescriptionSet = true;
        for (RTCIceCandidate candidate : pendingCandidates) {
            addCandidate(candidate);
        }
        pendingCandidates.clear();
        if (wasOffer) {
            connection.createAnswer(new RTCAnswerOptions(), detachable(new DescriptionCreated()));
        }
    }

    private void addCandidate(RTCIceCandidate candidate) {
        try {
            connection.addIceCandidate(candidate);
        } catch (RuntimeException e) {
            // webrtc-java throws for a line libwebrtc cannot parse: skip that one candidate.
            log.warn("candidate from {} refused: {} ({})", remoteId, candidate.sdp, e.getMessage());
        }
    }

    private void adoptChannel(RTCDataChannel c) {
        channelProtocol = c.getProtocol();
        channel = c;
        c.registerObserver(detachable(new ChannelObserver(c)));
    }

    private void onChannelState(RTCDataChannel c) {
        if (closed.get() || c != channel) {
            return;
        }
        RTCDataChannelState state = c.getState();
        if (state == RTCDataChannelState.OPEN && !opened.isDone()) {
            step("channel-open");
            // The owner sets up first, so that whoever waits on opened() finds it ready.
            listener.onOpen(this);
            opened.complete(this);
        } else if (state == RTCDataChannelState.CLOSED || state == RTCDataChannelState.CLOSING) {
            closeWith("data channel closed by the peer");
        }
    }

    private void post(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException ignored) {
            // the link is closed
        }
    }

    /** Without trickle: once both the local description is set and gathering is over, send it with every candidate. */
    private void sendWholeDescription() {
        if (closed.get() || !localDescriptionSet || !gatheringComplete || wholeDescriptionSent) {
            return;
        }
        wholeDescriptionSent = true;
        step("description-sent");
        listener.onSignal(this, SignalObjects.description(connection.getLocalDescription()));
    }

    // ---- what native code holds ---------------------------------------------------------------

    /*
     * webrtc-java 0.14.0 keeps every observer handed to native code reachable (a global JNI
     * reference) after the connection is closed (webrtc-java issue #146). Our observers are inner
     * classes: each would keep its whole link, and through the listener the node's link table,
     * alive forever — measured in the demo swarm as 4,460 PeerLinks held after 10 minutes of churn.
     * So native code gets small forwarders instead, cut from the link at teardown.
     */
    private final List<Forwarder<?>> forwarders = new ArrayList<>();
    private boolean detached; // guarded by forwarders

    private abstract static class Forwarder<T> {
        volatile T target;

        Forwarder(T target) {
            this.target = target;
        }
    }

    private static final class ConnectionForwarder extends Forwarder<PeerConnectionObserver> implements PeerConnectionObserver {
        ConnectionForwarder(PeerConnectionObserver target) {
            super(target);
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            PeerConnectionObserver t = target;
            if (t != null) {
                t.onIceCandidate(candidate);
            }
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState state) {
            PeerConnectionObserver t = target;
            if (t != null) {
                t.onIceGatheringChange(state);
            }
        }

        @Override
        public void onDataChannel(RTCDataChannel dataChannel) {
            PeerConnectionObserver t = target;
            if (t != null) {
                t.onDataChannel(dataChannel);
            }
            // Detached: the link is torn down and its connection closed, which takes the channel
            // with it; no native call from libwebrtc's own thread.
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            PeerConnectionObserver t = target;
            if (t != null) {
                t.onConnectionChange(state);
            }
        }

        @Override
        public void onIceConnectionChange(RTCIceConnectionState state) {
            PeerConnectionObserver t = target;
            if (t != null) {
                t.onIceConnectionChange(state);
            }
        }
    }

    private static final class ChannelForwarder extends Forwarder<RTCDataChannelObserver> implements RTCDataChannelObserver {
        ChannelForwarder(RTCDataChannelObserver target) {
            super(target);
        }

        @Override
        public void onBufferedAmountChange(long previousAmount) {}

        @Override
        public void onStateChange() {
            RTCDataChannelObserver t = target;
            if (t != null) {
                t.onStateChange();
            }
        }

        @Override
        public void onMessage(RTCDataChannelBuffer buffer) {
            RTCDataChannelObserver t = target;
            if (t != null) {
                t.onMessage(buffer);
            }
        }
    }

    private static final class CreateForwarder extends Forwarder<CreateSessionDescriptionObserver>
            implements CreateSessionDescriptionObserver {
        CreateForwarder(CreateSessionDescriptionObserver target) {
            super(target);
        }

        @Override
        public void onSuccess(RTCSessionDescription description) {
            CreateSessionDescriptionObserver t = target;
            if (t != null) {
                t.onSuccess(description);
            }
        }

        @Override
        public void onFailure(String error) {
            CreateSessionDescriptionObserver t = target;
            if (t != null) {
                t.onFailure(error);
            }
        }
    }

    private static final class SetForwarder extends Forwarder<SetSessionDescriptionObserver>
            implements SetSessionDescriptionObserver {
        SetForwarder(SetSessionDescriptionObserver target) {
            super(target);
        }

        @Override
        public void onSuccess() {
            SetSessionDescriptionObserver t = target;
            if (t != null) {
                t.onSuccess();
            }
        }

        @Override
        public void onFailure(String error) {
            SetSessionDescriptionObserver t = target;
            if (t != null) {
                t.onFailure(error);
            }
        }
    }

    private static final class StatsForwarder extends Forwarder<dev.onvoid.webrtc.RTCStatsCollectorCallback>
            implements dev.onvoid.webrtc.RTCStatsCollectorCallback {
        StatsForwarder(dev.onvoid.webrtc.RTCStatsCollectorCallback target) {
            super(target);
        }

        @Override
        public void onStatsDelivered(dev.onvoid.webrtc.RTCStatsReport report) {
            dev.onvoid.webrtc.RTCStatsCollectorCallback t = target;
            target = null; // one report per request
            if (t != null) {
                t.onStatsDelivered(report);
            }
        }
    }

    private <F extends Forwarder<?>> F remember(F forwarder) {
        synchronized (forwarders) {
            if (detached) {
                forwarder.target = null; // made after teardown: nothing to reach
            } else {
                forwarders.add(forwarder);
            }
        }
        return forwarder;
    }

    private PeerConnectionObserver detachable(PeerConnectionObserver o) {
        return remember(new ConnectionForwarder(o));
    }

    private RTCDataChannelObserver detachable(RTCDataChannelObserver o) {
        return remember(new ChannelForwarder(o));
    }

    private CreateSessionDescriptionObserver detachable(CreateSessionDescriptionObserver o) {
        return remember(new CreateForwarder(o));
    }

    private SetSessionDescriptionObserver detachable(SetSessionDescriptionObserver o) {
        return remember(new SetForwarder(o));
    }

    /** Cuts every forwarder from this link: whatever native code still holds no longer reaches it. */
    private void detachAll() {
        synchronized (forwarders) {
            detached = true;
            for (Forwarder<?> f : forwarders) {
                f.target = null;
            }
            forwarders.clear();
        }
    }

    // ---- libwebrtc callbacks: copy, hand off, return ----------------------------------------

    private final class ConnectionObserver implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            if (config.trickle()) {
                post(() -> listener.onSignal(PeerLink.this, SignalObjects.candidate(candidate)));
            }
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState state) {
            if (state == RTCIceGatheringState.COMPLETE && !config.trickle()) {
                post(() -> {
                    gatheringComplete = true;
                    sendWholeDescription();
                });
            }
        }

        @Override
        public void onDataChannel(RTCDataChannel dataChannel) {
            post(() -> {
                if (channel == null && !closed.get()) {
                    adoptChannel(dataChannel);
                    onChannelState(dataChannel);
                } else {
                    disposeChannel(dataChannel);
                }
            });
        }

        @Override
        public void onIceConnectionChange(RTCIceConnectionState state) {
            if (state == RTCIceConnectionState.CONNECTED || state == RTCIceConnectionState.COMPLETED) {
                step("ice-connected");
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            if (state == RTCPeerConnectionState.CONNECTED) {
                step("dtls-connected");
            } else if (state == RTCPeerConnectionState.FAILED) {
                closeWith("ICE connection failed");
            }
        }
    }

    private final class ChannelObserver implements RTCDataChannelObserver {
        private final RTCDataChannel observed;

        ChannelObserver(RTCDataChannel observed) {
            this.observed = observed;
        }

        @Override
        public void onBufferedAmountChange(long previousAmount) {}

        @Override
        public void onStateChange() {
            post(() -> onChannelState(observed));
        }

        @Override
        public void onMessage(RTCDataChannelBuffer buffer) {
            ByteBuffer data = buffer.data;
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            lastActivity = System.nanoTime();
            post(() -> {
                if (!closed.get()) {
                    listener.onMessage(PeerLink.this, copy);
                }
            });
        }
    }

    private final class DescriptionCreated implements CreateSessionDescriptionObserver {
        @Override
        public void onSuccess(RTCSessionDescription description) {
            step("description-created");
            post(() -> {
                if (!closed.get()) {
                    connection.setLocalDescription(description, detachable(new LocalDescriptionSet(description)));
                }
            });
        }

        @Override
        public void onFailure(String error) {
            closeWith("could not create session description: " + error);
        }
    }

    private final class LocalDescriptionSet implements SetSessionDescriptionObserver {
        private final RTCSessionDescription description;

        LocalDescriptionSet(RTCSessionDescription description) {
            this.description = description;
        }

        @Override
        public void onSuccess() {
            post(() -> {
                if (config.trickle()) {
                    step("description-sent");
                    listener.onSignal(PeerLink.this, SignalObjects.description(description));
                } else {
                    localDescriptionSet = true;
                    sendWholeDescription();
                }
            });
        }

        @Override
        public void onFailure(String error) {
            closeWith("could not set local description: " + error);
        }
    }

    private final class RemoteDescriptionSet implements SetSessionDescriptionObserver {
        private final boolean wasOffer;

        RemoteDescriptionSet(boolean wasOffer) {
            this.wasOffer = wasOffer;
        }

        @Override
        public void onSuccess() {
            step("remote-description");
            post(() -> onRemoteDescriptionSet(wasOffer));
        }

        @Override
        public void onFailure(String error) {
            closeWith("remote description refused: " + error);
        }
    }
}
