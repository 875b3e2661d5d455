package io.swarmkeeper.content;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of a resource: the hash of its bytes, as the website's server writes it beside the
 * resource link. Today one form is accepted, SHA-224 in hex (56 characters, the {@code img_hash}
 * format); other forms (SRI-style, Merkle roots) will become further kinds of this same type.
 */
public final class ResourceId {
    private static final Pattern SHA224_HEX = Pattern.compile("[0-9a-fA-F]{56}");
    private static final HexFormat HEX = HexFormat.of();

    private final String hex;

    private ResourceId(String hex) {
        this.hex = hex;
    }

    /** Parses an id; throws {@link IllegalArgumentException} with a message fit for a user. */
    public static ResourceId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("resource id is missing");
        }
        String trimmed = text.trim();
        if (!SHA224_HEX.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("not a resource id: expected SHA-224 as 56 hex characters, got "
                    + (trimmed.length() > 80 ? trimmed.substring(0, 80) + "…" : '"' + trimmed + '"')
                    + " (" + trimmed.length() + " characters)");
        }
        return new ResourceId(trimmed.toLowerCase(Locale.ROOT));
    }

    /** True when {@code text} parses as an id. */
    public static boolean isValid(String text) {
        return text != null && SHA224_HEX.matcher(text.trim()).matches();
    }

    /** The id of the given bytes. */
    public static ResourceId of(byte[] bytes) {
        MessageDigest digest = newSha224();
        return fromDigest(digest.digest(bytes));
    }

    public static ResourceId fromDigest(byte[] sha224) {
        if (sha224.length != 28) {
            throw new IllegalArgumentException("SHA-224 digest must be 28 bytes, got " + sha224.length);
        }
        return new ResourceId(HEX.formatHex(sha224));
    }

    /** A fresh digest of the kind this id names. */
    public MessageDigest newDigest() {
        return newSha224();
    }

    /** True when {@code digest} (as returned by {@link MessageDigest#digest()}) names this resource. */
    public boolean matches(byte[] digest) {
        return MessageDigest.isEqual(HEX.parseHex(hex), digest);
    }

    static MessageDigest newSha224() {
        try {
            return MessageDigest.getInstance("SHA-224");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-224", e);
        }
    }

    /** The canonical text form: lowercase hex. */
    public String hex() {
        return hex;
    }

    /** A short form for logs and tables. */
    public String shortForm() {
        return hex.substring(0, 12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceId other && hex.equals(other.hex);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hex);
    }

    @Override
    public String toString() {
        return hex;
    }
}
