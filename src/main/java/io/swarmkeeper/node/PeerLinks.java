package io.swarmkeeper.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import io.swarmkeeper.rtc.SignalObjects;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's WebRTC links, by remote peer id: routes signals between the signaling server and each
 * link, answers offers, and reports links coming and going as events.
 */
final class PeerLinks {
    private static final Logger log = LoggerFactory.getLogger(PeerLinks.class);

    /** What the node does with an open link. Called on the link's event thread. */
    interface Handler {
        void onOpen(PeerLink link);

        void onMessage(PeerLink link, byte[] message);

        void onClosed(PeerLink link, String reason);
    }

    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    /** Why the server matched us with each link's peer, as its relayed signals say; dropped when the link closes. */
    private final Map<PeerLink, String> matchReasons = new ConcurrentHashMap<>();
    private final Consumer<Message> toServer;
    private final SwarmEvents events;
    private final Handler handler;
    private volatile LinkConfig config = LinkConfig.withIceServers(List.of());

    PeerLinks(Consumer<Message> toServer, SwarmEvents events, Handler handler) {
        this.toServer = toServer;
        this.events = events;
        this.handler = handler;
    }

    /** Takes the ICE servers the signaling server handed out. */
    void configure(LinkConfig config) {
        this.config = config;
    }

    Duration connectTimeout() {
        return config.connectTimeout();
    }

    /** Opens a link to {@code remoteId} as the offering side. */
    PeerLink offer(String remoteId) {
        PeerLink link = PeerLink.offer(RtcRuntime.shared(), config, remoteId, new Relay());
        PeerLink previous = links.put(remoteId, link);
        if (previous != null) {
            previous.close();
        }
        return link;
    }

    /**
     * A signal arrived from {@code from}: give it to its link, or answer a new offer.
     * {@code matchReason} is why the server matched us (null if it did not say).
     */
    void onSignal(String from, JsonNode data, String matchReason) {
        boolean isOffer = "offer".equals(SignalObjects.kind(data));
        PeerLink link = links.get(from);
        if (isOffer && link != null && !link.isInitiator()) {
            // A fresh offer from a peer we already answer is a new connection (a new DTLS
            // fingerprint): replace the old link rather than renegotiate it.
            links.remove(from, link);
            link.close();
            link = null;
        }
        if (link == null || link.isClosed()) {
            if (!isOffer) {
                log.debug("signal {} from {} with no link: ignored", SignalObjects.kind(data), from);
                return;
            }
            PeerLink answering = PeerLink.answer(RtcRuntime.shared(), config, from, new Relay());
            PeerLink previous = links.put(from, answering);
            if (previous != null && previous != answering) {
                previous.close();
            }
            link = answering;
        }
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
            link.close();
        }
    }

    int size() {
        return links.size();
    }

    void closeAll() {
        for (PeerLink link : links.values()) {
            link.close();
        }
        links.clear();
    }

    private final class Relay implements PeerLink.Listener {
        @Override
        public void onSignal(PeerLink link, ObjectNode signal) {
            toServer.accept(new Message.Signal(link.remoteId(), null, signal));
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
            events.publish(new SwarmEvent.PeerUnlinked(Instant.now(), link.remoteId(), reason));
            handler.onClosed(link, reason);
        }
    }
}
