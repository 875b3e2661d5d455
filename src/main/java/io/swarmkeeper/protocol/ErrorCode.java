package io.swarmkeeper.protocol;

/** Stable codes carried by {@code error} messages. Clients may switch on them; never rename one. */
public final class ErrorCode {
    public static final String BAD_JSON = "bad-json";
    public static final String BAD_MESSAGE = "bad-message";
    public static final String UNKNOWN_TYPE = "unknown-type";
    public static final String BINARY_NOT_ALLOWED = "binary-not-allowed";
    public static final String FRAME_TOO_LARGE = "frame-too-large";
    public static final String NOT_WELCOMED = "not-welcomed";
    public static final String ALREADY_WELCOMED = "already-welcomed";
    public static final String UNSUPPORTED_VERSION = "unsupported-version";
    public static final String NOT_PAIRED = "not-paired";
    public static final String BAD_HASH = "bad-hash";
    public static final String TOO_MANY_HASHES = "too-many-hashes";
    public static final String TOO_MANY_HOLDINGS = "too-many-holdings";
    public static final String RATE_LIMITED = "rate-limited";
    public static final String OVERLOADED = "overloaded";
    public static final String TOO_MANY_CONNECTIONS = "too-many-connections";
    public static final String ORIGIN_NOT_ALLOWED = "origin-not-allowed";
    public static final String TOKEN_REQUIRED = "token-required";
    public static final String PEER_BUSY = "peer-busy";

    // Counted in /metrics only: the connection cannot be told (it never upgraded, or stopped reading).
    /** No complete WebSocket upgrade within the deadline. */
    public static final String UPGRADE_TIMEOUT = "upgrade-timeout";
    /** An upgrade request whose request line or headers exceed the cap: answered 414 or 431. */
    public static final String HEADER_TOO_LARGE = "header-too-large";
    /** Not a WebSocket upgrade request: answered 400 or 426. */
    public static final String BAD_REQUEST = "bad-request";
    /** A frame the WebSocket protocol forbids (reserved opcode, unmasked, invalid UTF-8, bad close frame). */
    public static final String BAD_FRAME = "bad-frame";
    /** More bytes waited to be sent to the peer than the server keeps for one: it stopped reading. */
    public static final String QUEUE_FULL = "queue-full";

    private ErrorCode() {}
}
