package io.swarmkeeper.server;

/** The WebSocket close codes (RFC 6455, section 7.4.1) this server sends. */
final class CloseCodes {
    static final int NORMAL = 1000;
    static final int GOING_AWAY = 1001;
    static final int POLICY_VALIDATION = 1008;
    static final int TOO_BIG = 1009;
    static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {}
}
