package io.swarmkeeper.transfer;

/**
 * Which version of the transfer protocol a data channel speaks. The side that creates the channel
 * (the requester, which offered) names it in the channel's {@code protocol} field, which WebRTC
 * carries to the other side when the channel opens; the label stays {@code swarmkeeper}. So a
 * holder knows the version before the first message, without a message of its own that peers
 * from before this field would not understand, and a browser sets it with
 * {@code createDataChannel('swarmkeeper', {protocol: 'swarmkeeper/1'})}.
 */
public final class TransferVersion {
    /** The channel protocol of version 1, the version documented in docs/protocol.md. */
    public static final String CHANNEL_PROTOCOL = "swarmkeeper/1";
    /** What a holder that refuses a channel says it speaks (space-separated, should there be several). */
    static final String SPOKEN = CHANNEL_PROTOCOL;

    private TransferVersion() {}

    /**
     * True when a channel whose protocol field is {@code channelProtocol} speaks version 1: it
     * names it, or names nothing (Java peers built before the field was set speak version 1).
     */
    public static boolean speaks(String channelProtocol) {
        return channelProtocol == null || channelProtocol.isEmpty() || CHANNEL_PROTOCOL.equals(channelProtocol);
    }
}
