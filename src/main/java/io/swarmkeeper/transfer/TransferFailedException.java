package io.swarmkeeper.transfer;

import java.io.IOException;

/** The holder answered a request with an ERROR message; {@link #code()} is one of {@link TransferError}. */
public final class TransferFailedException extends IOException {
    private final int code;

    public TransferFailedException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
