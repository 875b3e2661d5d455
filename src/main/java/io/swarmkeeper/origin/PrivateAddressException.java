package io.swarmkeeper.origin;

import java.io.IOException;

/** A URL (or a redirect) leads to an address that is not public, and private origins are not allowed. */
public final class PrivateAddressException extends IOException {
    PrivateAddressException(String message) {
        super(message);
    }
}
