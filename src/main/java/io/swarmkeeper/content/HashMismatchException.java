package io.swarmkeeper.content;

import java.io.IOException;

/** Bytes did not hash to the id they were supposed to have. Carries both hashes for the log. */
public final class HashMismatchException extends IOException {
    private final ResourceId expected;
    private final String actual;

    /** {@code actualDigest} is the digest of the bytes that arrived, of the expected id's kind. */
    public HashMismatchException(ResourceId expected, byte[] actualDigest, String where) {
        this(expected, expected.describe(actualDigest), where);
    }

    private HashMismatchException(ResourceId expected, String actual, String where) {
        super("hash mismatch " + where + ": expected " + expected.text() + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public ResourceId expected() {
        return expected;
    }

    /** The id the bytes that arrived actually have, in the expected id's form. */
    public String actual() {
        return actual;
    }
}
