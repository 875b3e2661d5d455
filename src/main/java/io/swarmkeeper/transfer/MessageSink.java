package io.swarmkeeper.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where transfer messages go: a data channel, in practice. {@code send} may block for flow control. */
@FunctionalInterface
public interface MessageSink {
    void send(byte[] message) throws IOException;

    /**
     * Sends the buffer's remaining bytes as one message. The sink is done with the buffer when
     * this returns (the sender reuses it). A data channel takes a direct buffer without copying
     * it to the Java heap first; this default copies it into an array.
     */
    default void send(ByteBuffer message) throws IOException {
        byte[] copy = new byte[message.remaining()];
        message.get(copy);
        send(copy);
    }
}
