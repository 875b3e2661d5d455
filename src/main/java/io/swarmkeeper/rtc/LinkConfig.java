package io.swarmkeeper.rtc;

import io.swarmkeeper.protocol.Message;
import java.time.Duration;
import java.util.List;

/**
 * How links are made.
 *
 * @param iceServers from the signaling server's {@code welcome}; empty means host candidates only
 * @param connectTimeout how long a link may take to open its data channel
 * @param sendStallTimeout how long a send may wait for the peer to drain its buffer
 */
public record LinkConfig(List<Message.IceServer> iceServers, Duration connectTimeout, Duration sendStallTimeout) {
    public LinkConfig {
        iceServers = List.copyOf(iceServers);
    }

    public static LinkConfig withIceServers(List<Message.IceServer> iceServers) {
        return new LinkConfig(iceServers, Duration.ofSeconds(15), Duration.ofSeconds(30));
    }
}
