package io.swarmkeeper.content;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of a resource: the hash of its bytes, as the website's server writes it beside the
 * resource link. Accepted forms:
 * <ul>
 *   <li>56 hex characters: SHA-224 (the {@code img_hash} format), canonical form lowercase hex;</li>
 *   <li>Subresource Integrity: {@code sha256-<base64>}, {@code sha384-…}, {@code sha512-…}, so that
 *       pages which already carry {@code integrity} attributes work unchanged (base64url and a
 *       missing padding are accepted; SRI options after {@code ?} are ignored);</li>
 *   <li>{@code mt256-<64 hex>}: the root of a SHA-256 Merkle tree over 16 KiB blocks
 *       ({@link MerkleDigest}, after BitTorrent v2), for resources checked part by part.</li>
 * </ul>
 * Every form has a file-system-safe {@link #key()} ({@code <algorithm>-<hex>}) for storage.
 */
public final class ResourceId {
    private static final Pattern HEX_ONLY = Pattern.compile("[0-9a-fA-F]+");
    private static final HexFormat HEX = HexFormat.of();

    private final HashAlgorithm algorithm;
    private final byte[] digest;
    /**
     * The canonical text, made when first asked for: a signaling server keeps millions of ids
     * and sends few of them back, and the text would double what each one costs.
     */
    private String text;

    private ResourceId(HashAlgorithm algorithm, byte[] digest) {
        this.algorithm = algorithm;
        this.digest = digest;
    }

    /** Parses an id; throws {@link IllegalArgumentException} with a message fit for a user. */
    public static ResourceId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("resource id is missing");
        }
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("resource id is empty");
        }
        int dash = trimmed.indexOf('-');
        if (dash < 0) {
            if (trimmed.length() != 56 || !HEX_ONLY.matcher(trimmed).matches()) {
                throw new IllegalArgumentException("not a resource id: expected SHA-224 as 56 hex characters"
                        + " or sha256-/sha384-/sha512-<base64>, got " + quote(trimmed)
                        + " (" + trimmed.length() + " characters)");
            }
            return new ResourceId(HashAlgorithm.SHA224, HEX.parseHex(trimmed.toLowerCase(Locale.ROOT)));
        }
        String prefix = trimmed.substring(0, dash).toLowerCase(Locale.ROOT);
        if (prefix.equals(HashAlgorithm.MERKLE_SHA256.label())) {
            String hex = trimmed.substring(dash + 1);
            if (hex.length() != 64 || !HEX_ONLY.matcher(hex).matches()) {
                throw new IllegalArgumentException("not a resource id: a Merkle root is mt256- and 64 hex characters, got "
                        + quote(trimmed));
            }
            return new ResourceId(HashAlgorithm.MERKLE_SHA256, HEX.parseHex(hex.toLowerCase(Locale.ROOT)));
        }
        HashAlgorithm algorithm = HashAlgorithm.bySriPrefix(prefix);
        if (algorithm == null) {
            throw new IllegalArgumentException("not a resource id: unknown hash \"" + prefix
                    + "\" in " + quote(trimmed) + " (accepted: sha256-, sha384-, sha512-, mt256- or 56 hex characters)");
        }
        String encoded = trimmed.substring(dash + 1);
        int options = encoded.indexOf('?');
        if (options >= 0) {
            encoded = encoded.substring(0, options);
        }
        byte[] bytes;
        try {
            bytes = decodeBase64(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a resource id: " + quote(trimmed) + " is not valid base64 after \""
                    + prefix + "-\"", e);
        }
        if (bytes.length != algorithm.digestLength()) {
            throw new IllegalArgumentException("not a resource id: a " + prefix + " digest is "
                    + algorithm.digestLength() + " bytes, " + quote(trimmed) + " holds " + bytes.length);
        }
        return new ResourceId(algorithm, bytes);
    }

    private static byte[] decodeBase64(String encoded) {
        String standard = encoded.replace('-', '+').replace('_', '/');
        return Base64.getDecoder().decode(switch (standard.length() % 4) {
            case 2 -> standard + "==";
            case 3 -> standard + "=";
            default -> standard;
        });
    }

    private static String quote(String text) {
        return text.length() > 80 ? '"' + text.substring(0, 80) + "…\"" : '"' + text + '"';
    }

    /** True when {@code text} parses as an id. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The SHA-224 id of the given bytes (the default kind). */
    public static ResourceId of(byte[] bytes) {
        return of(HashAlgorithm.SHA224, bytes);
    }

    /** The id of the given bytes with the given hash. */
    public static ResourceId of(HashAlgorithm algorithm, byte[] bytes) {
        return new ResourceId(algorithm, algorithm.newDigest().digest(bytes));
    }

    /** The id whose digest is {@code digest}, as returned by {@link MessageDigest#digest()}. */
    public static ResourceId fromDigest(HashAlgorithm algorithm, byte[] digest) {
        if (digest.length != algorithm.digestLength()) {
            throw new IllegalArgumentException(algorithm + " digest must be " + algorithm.digestLength()
                    + " bytes, got " + digest.length);
        }
        return new ResourceId(algorithm, digest.clone());
    }

    /** A SHA-224 id from its 28-byte digest. */
    public static ResourceId fromDigest(byte[] sha224) {
        return fromDigest(HashAlgorithm.SHA224, sha224);
    }

    /** Parses a {@link #key()}; throws {@link IllegalArgumentException} when it is not one. */
    public static ResourceId fromKey(String key) {
        int dash = key.indexOf('-');
        HashAlgorithm algorithm = dash < 0 ? null : HashAlgorithm.byLabel(key.substring(0, dash));
        String hex = dash < 0 ? "" : key.substring(dash + 1);
        if (algorithm == null || hex.length() != 2 * algorithm.digestLength() || !HEX_ONLY.matcher(hex).matches()
                || !hex.equals(hex.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("not a resource key: " + quote(key));
        }
        return new ResourceId(algorithm, HEX.parseHex(hex));
    }

    public HashAlgorithm algorithm() {
        return algorithm;
    }

    /** The digest this id names (a copy). */
    public byte[] digest() {
        return digest.clone();
    }

    /** A fresh digest of the kind this id names. */
    public MessageDigest newDigest() {
        return algorithm.newDigest();
    }

    /** True when {@code digest} (as returned by {@link MessageDigest#digest()}) names this resource. */
    public boolean matches(byte[] digest) {
        return MessageDigest.isEqual(this.digest, digest);
    }

    /** How {@code digest}, a digest of this id's kind, is written: for naming what arrived instead. */
    public String describe(byte[] otherDigest) {
        return algorithm.format(otherDigest);
    }

    /** The canonical text form: lowercase hex for SHA-224, {@code shaNNN-<base64>} for SRI forms. */
    public String text() {
        String t = text;
        if (t == null) {
            t = algorithm.format(digest); // a race only formats twice: the same string
            text = t;
        }
        return t;
    }

    /** A file-system-safe form, {@code <algorithm>-<lowercase hex>}, unique per id. */
    public String key() {
        return algorithm.label() + '-' + HEX.formatHex(digest);
    }

    /** A short form for logs and tables. */
    public String shortForm() {
        return HEX.formatHex(digest, 0, 6);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceId other && algorithm == other.algorithm && Arrays.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return text();
    }
}
