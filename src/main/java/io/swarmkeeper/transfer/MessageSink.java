package io.swarmkeeper.transfer;

import java.io.IOException;

/** Where transfer messages go: a data channel, in practice. {@code send} may block for flow control. */
@FunctionalInterface
public interface MessageSink {
    void send(byte[] message) throws IOException;
}
