package io.swarmkeeper.manifest;

import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An origin's public Ed25519 key, written {@code ed25519:<base64 of 32 bytes>}: what a seeder is
 * configured with to accept only the manifests that origin signed.
 */
public final class OriginKey {
    static final String PREFIX = "ed25519:";

    private final byte[] encoded;

    OriginKey(byte[] encoded) {
        if (encoded.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, got " + encoded.length);
        }
        try {
            new Ed25519PublicKeyParameters(encoded, 0); // checks that it is a point of the curve
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid Ed25519 public key", e);
        }
        this.encoded = encoded.clone();
    }

    /** Parses {@code ed25519:<base64>}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static OriginKey parse(String text) {
        String t = text == null ? "" : text.trim();
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not an origin key: expected ed25519:<base64>, got \""
                    + (t.length() > 60 ? t.substring(0, 60) + "…" : t) + '"');
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(t.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an origin key: the part after ed25519: is not base64", e);
        }
        return new OriginKey(bytes);
    }

    /** True when {@code signature} is this key's Ed25519 signature of {@code message}. */
    public boolean verifies(byte[] message, byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(encoded, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    public String text() {
        return PREFIX + Base64.getEncoder().encodeToString(encoded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OriginKey other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return text();
    }
}
