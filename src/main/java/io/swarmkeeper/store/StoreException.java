package io.swarmkeeper.store;

import java.io.IOException;

/** The store cannot be opened or used; the message says why, for a person. */
public final class StoreException extends IOException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
