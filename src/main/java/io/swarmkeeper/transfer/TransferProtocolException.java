package io.swarmkeeper.transfer;

import java.io.IOException;

/** A peer broke the transfer protocol: a malformed message, or one that does not fit the exchange. */
public final class TransferProtocolException extends IOException {
    public TransferProtocolException(String message) {
        super(message);
    }
}
