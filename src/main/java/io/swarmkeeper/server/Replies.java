package io.swarmkeeper.server;

import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;

/** How the server answers a peer: a message, an error it counts, or a refusal that closes. */
final class Replies {
    private final ServerMetrics metrics;

    Replies(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    void send(Connection conn, Message message) {
        conn.send(MessageCodec.encode(message)); // a closed one is cleaned up by its onClosed
    }

    /** Sends an error with a stable {@code code}, counted by code. */
    void error(Connection conn, String code, String text) {
        metrics.error(code);
        send(conn, new Message.Error(code, text));
    }

    /** Refuses a connection: the error, then a close with {@code closeCode}. */
    void refuse(Connection conn, Message.Error error, int closeCode) {
        metrics.error(error.code());
        send(conn, error);
        conn.close(closeCode, error.code());
    }

    /** What a peer sent, quoted and cut to 64 characters, for an error's text or a log line. */
    static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() > 64 ? '"' + text.substring(0, 64) + "…\"" : '"' + text + '"';
    }
}
