package io.swarmkeeper.rtc;

import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.transfer.TransferVersion;
import java.time.Duration;
import java.util.List;

/**
 * How links are made.
 *
 * @param iceServers from the signaling server's {@code welcome}; empty means host candidates only
 * @param connectTimeout how long a link may take to open its data channel
 * @param sendStallTimeout how long a send may wait for the peer to drain its buffer
 * @param trickle true: send ICE candidates one by one as they are found (simple-peer's default);
 *                false: wait until gathering is complete and send one offer or answer that
 *                carries every candidate (simple-peer's {@code trickle: false})
 * @param channelProtocol the {@code protocol} field of the data channel an offering link creates:
 *                the transfer protocol's version ({@link TransferVersion#CHANNEL_PROTOCOL})
 */
public record LinkConfig(List<Message.IceServer> iceServers, Duration connectTimeout, Duration sendStallTimeout,
                         boolean trickle, String channelProtocol) {
    public LinkConfig {
        iceServers = List.copyOf(iceServers);
    }

    public LinkConfig(List<Message.IceServer> iceServers, Duration connectTimeout, Duration sendStallTimeout, boolean trickle) {
        this(iceServers, connectTimeout, sendStallTimeout, trickle, TransferVersion.CHANNEL_PROTOCOL);
    }

    /**
     * The links a node makes: with these ICE servers, candidates trickled (the property
     * {@code swarmkeeper.webrtc.trickle=false} sends them whole, for {@code LinkSetupTime}).
     */
    public static LinkConfig withIceServers(List<Message.IceServer> iceServers) {
        boolean trickle = !"false".equals(System.getProperty("swarmkeeper.webrtc.trickle"));
        return new LinkConfig(iceServers, Duration.ofSeconds(15), Duration.ofSeconds(30), trickle);
    }

    public LinkConfig withTrickle(boolean on) {
        return new LinkConfig(iceServers, connectTimeout, sendStallTimeout, on, channelProtocol);
    }

    public LinkConfig withChannelProtocol(String protocol) {
        return new LinkConfig(iceServers, connectTimeout, sendStallTimeout, trickle, protocol);
    }
}
