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

    private ErrorCode() {}
}
