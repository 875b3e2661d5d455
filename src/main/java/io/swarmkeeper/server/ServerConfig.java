package io.swarmkeeper.server;

import io.swarmkeeper.protocol.Message;
import java.util.List;

/**
 * Settings of a signaling server.
 *
 * @param iceServers handed to every peer in its {@code welcome}; empty by default, which means
 *                   host candidates only (and never a public STUN server unless configured)
 */
public record ServerConfig(
        String host,
        int port,
        int maxFrameBytes,
        int maxHashesPerMessage,
        int maxHoldingsPerPeer,
        int maxMatchCount,
        int heartbeatSeconds,
        List<Message.IceServer> iceServers) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("max frame bytes must be at least 1024, got " + maxFrameBytes);
        }
        iceServers = List.copyOf(iceServers);
    }

    public static ServerConfig loopback(int port) {
        return of("127.0.0.1", port);
    }

    public static ServerConfig of(String host, int port) {
        return new ServerConfig(host, port, DEFAULT_MAX_FRAME_BYTES, 1000, 100_000, 8, 30, List.of());
    }
}
