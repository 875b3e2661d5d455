package io.swarmkeeper.content;

import java.io.IOException;

/** Bytes did not hash to the id they were supposed to have. Carries both hashes for the log. */
public final class HashMismatchException extends IOException {
    private final ResourceId expected;
    private final String actualHex;

    public HashMismatchException(ResourceId expected, String actualHex, String where) {
        super("hash mismatch " + where + ": expected " + expected.hex() + ", got " + actualHex);
        this.expected = expected;
        this.actualHex = actualHex;
    }

    public ResourceId expected() {
        return expected;
    }

    public String actualHex() {
        return actualHex;
    }
}
