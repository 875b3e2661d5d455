package io.swarmkeeper.store;

import java.io.IOException;

/** A resource does not fit in the quota even after evicting everything that is not pinned. */
public final class StoreFullException extends IOException {
    public StoreFullException(String message) {
        super(message);
    }
}
