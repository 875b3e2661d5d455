package io.swarmkeeper.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The signaling protocol: JSON text frames, one message each, told apart by {@code type}.
 * {@code docs/protocol.md} documents every message; golden tests pin their exact form.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Message.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = Message.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = Message.Have.class, name = "have"),
        @JsonSubTypes.Type(value = Message.Lost.class, name = "lost"),
        @JsonSubTypes.Type(value = Message.Want.class, name = "want"),
        @JsonSubTypes.Type(value = Message.Match.class, name = "match"),
        @JsonSubTypes.Type(value = Message.Cancel.class, name = "cancel"),
        @JsonSubTypes.Type(value = Message.Signal.class, name = "signal"),
        @JsonSubTypes.Type(value = Message.PeerGone.class, name = "peer-gone"),
        @JsonSubTypes.Type(value = Message.Error.class, name = "error"),
        @JsonSubTypes.Type(value = Message.Bye.class, name = "bye"),
        @JsonSubTypes.Type(value = Message.Report.class, name = "report"),
        @JsonSubTypes.Type(value = Message.Served.class, name = "served"),
        @JsonSubTypes.Type(value = Message.Demand.class, name = "demand"),
})
public sealed interface Message {

    /** Version of this protocol; a {@code hello} names the version the client speaks. */
    int PROTOCOL_VERSION = 1;

    /**
     * Client → server, first message: who I am. {@code coords} are optional, from the browser's
     * Geolocation API; {@code resume} is the token of an earlier welcome, to get that id back.
     */
    record Hello(int version, PeerRole role, Coordinates coords, String resume) implements Message {
        public Hello(int version, PeerRole role) {
            this(version, role, null, null);
        }
    }

    /**
     * Server → client: your server-assigned id, a token to resume it after a reconnect,
     * whether this welcome resumed an earlier id, the ICE servers to use (empty: host
     * candidates only) and the limits the server enforces.
     */
    record Welcome(String id, String resume, Boolean resumed, List<IceServer> iceServers, Limits limits)
            implements Message {}

    /** Client → server: I hold these resources (ids as text). */
    record Have(List<String> hashes) implements Message {}

    /** Client → server: I no longer hold these resources. */
    record Lost(List<String> hashes) implements Message {}

    /** Client → server: I no longer want this resource (I got it, or gave up). */
    record Cancel(String hash) implements Message {}

    /**
     * Client → server: I want this resource; match me with up to {@code count} holders.
     * {@code origin}, optional, is where the website serves it (http or https): seeders may fetch
     * it from there when the swarm lacks it.
     */
    record Want(String hash, Integer count, String origin) implements Message {
        public Want(String hash, Integer count) {
            this(hash, count, null);
        }
    }

    /**
     * Server → seeder: this resource is wanted ({@code wants} times in the last minute) and poorly
     * held ({@code holders} live holders); the website serves it at {@code origin}. A seeder that
     * accepts demand from that origin may fetch it, verify it, store it and announce it.
     */
    record Demand(String hash, String origin, int wants, int holders) implements Message {}

    /**
     * Server → client: holders of {@code hash}, best first. Empty when nobody holds it. The
     * asker may now exchange {@code signal}s with each of them.
     */
    record Match(String hash, List<PeerInfo> peers) implements Message {}

    /**
     * WebRTC signal, relayed verbatim between matched peers. The sender names {@code to}; the
     * server replaces it with {@code from} and adds {@code reason}, why it matched the two (as in
     * {@link PeerInfo}), and {@code role}, the sender's role as its hello said, so that the side
     * that answers, which never sees the match, learns both too. {@code data} is a simple-peer
     * signal object. {@code place}: where the sender is, city and country at most, when the
     * server knows (absent from servers without proximity pairing, and from older ones).
     */
    record Signal(String to, String from, JsonNode data, String reason, PeerRole role, Place place) implements Message {
        public Signal(String to, String from, JsonNode data) {
            this(to, from, data, null, null, null);
        }

        public Signal(String to, String from, JsonNode data, String reason) {
            this(to, from, data, reason, null, null);
        }

        public Signal(String to, String from, JsonNode data, String reason, PeerRole role) {
            this(to, from, data, reason, role, null);
        }
    }

    /**
     * Client → server: {@code peer} misbehaved towards me ({@code reason}, for people): it sent
     * bytes that failed their hash ({@code hash} names the resource), broke the transfer
     * protocol, or stalled. The server never matches me with it again, and stops offering it to
     * anyone once enough different peers reported it.
     */
    record Report(String peer, String hash, String reason) implements Message {}

    /**
     * Client → server: {@code peer} delivered {@code bytes} bytes of {@code hash} that verified.
     * The server counts such confirmations (by network) as the holder's record of verified
     * serving, which weighs against reports and is preferred when matching.
     */
    record Served(String peer, String hash, Long bytes) implements Message {}

    /** Server → client: a peer you were matched with has left. */
    record PeerGone(String id) implements Message {}

    /**
     * Server → client: something was wrong; {@code code} is stable, {@code message} is for people.
     * {@code retryAfterMs}, when present, is how long to wait before connecting again.
     */
    record Error(String code, String message, Long retryAfterMs) implements Message {
        public Error(String code, String message) {
            this(code, message, null);
        }
    }

    /** Client → server: I am leaving on purpose. */
    record Bye() implements Message {}

    /**
     * A holder offered in a {@code match}, and {@code reason}, for people, why the server chose
     * it (the ranking policy's words: {@code "random"}, or with proximity pairing {@code "asn"},
     * {@code "city"}, {@code "distance"}, {@code "unknown"}), absent from servers older than it;
     * {@code place}, where the holder is (city and country at most), when the server knows.
     */
    record PeerInfo(String id, PeerRole role, String reason, Place place) {
        public PeerInfo(String id, PeerRole role) {
            this(id, role, null, null);
        }

        public PeerInfo(String id, PeerRole role, String reason) {
            this(id, role, reason, null);
        }
    }

    /**
     * Where a peer is, as much as other peers may learn: a city's name and an ISO 3166 country
     * code, either absent when unknown. Never coordinates.
     */
    record Place(String city, String country) {
        /** "City, CC", "CC", "City", or null. */
        public String label() {
            if (city != null && country != null) {
                return city + ", " + country;
            }
            return city != null ? city : country;
        }
    }

    /** One ICE server, in the shape of the browser's {@code RTCIceServer}. */
    record IceServer(List<String> urls, String username, String credential) {}

    /** Limits the server enforces, so that clients can stay within them. */
    /**
     * What the server enforces. {@code messageBurst} (messages that may come at once above the
     * sustained rate) is absent from servers older than it; clients then assume half a second's worth.
     */
    record Limits(int maxFrameBytes, int maxHashesPerMessage, int maxMessagesPerSecond, int heartbeatSeconds,
                  Integer messageBurst) {
        public Limits(int maxFrameBytes, int maxHashesPerMessage, int maxMessagesPerSecond, int heartbeatSeconds) {
            this(maxFrameBytes, maxHashesPerMessage, maxMessagesPerSecond, heartbeatSeconds, null);
        }
    }

    /** A position as the browser's Geolocation API reports it; accuracy in metres. */
    record Coordinates(double lat, double lon, Double accuracy) {}
}
