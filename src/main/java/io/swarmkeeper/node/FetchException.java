package io.swarmkeeper.node;

import java.io.IOException;

/** No verified copy could be had; the message says why in one line. */
public final class FetchException extends IOException {
    public FetchException(String message) {
        super(message);
    }
}
