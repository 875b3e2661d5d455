package io.swarmkeeper.content;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The hashes a resource id can name. Digests come from the JDK's {@link MessageDigest}: on the
 * reference machine it ran 7.6 times as fast as Bouncy Castle's for SHA-224/256 and 2.2–2.5
 * times for SHA-384/512, and SHA-224 within 1 % of OpenSSL (the JDK's SHA-2 intrinsics use the
 * CPU's SHA and AVX2 instructions; docs/benchmarks.md, {@code DigestBench}).
 */
public enum HashAlgorithm {
    /** The seed's link format: 56 lowercase hex characters. */
    SHA224("sha224", "SHA-224", 28),
    SHA256("sha256", "SHA-256", 32),
    SHA384("sha384", "SHA-384", 48),
    SHA512("sha512", "SHA-512", 64),
    /**
     * The root of a SHA-256 Merkle tree over 16 KiB blocks ({@link MerkleDigest}), written
     * {@code mt256-<64 lowercase hex>}: an id whose parts can be checked on arrival.
     */
    MERKLE_SHA256("mt256", "SHA-256", 32);

    private final String label;
    private final String jdkName;
    private final int digestLength;

    HashAlgorithm(String label, String jdkName, int digestLength) {
        this.label = label;
        this.jdkName = jdkName;
        this.digestLength = digestLength;
    }

    /** Lowercase name, as in SRI prefixes and store keys. */
    public String label() {
        return label;
    }

    public String jdkName() {
        return jdkName;
    }

    public int digestLength() {
        return digestLength;
    }

    public MessageDigest newDigest() {
        if (this == MERKLE_SHA256) {
            return new MerkleDigest();
        }
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no " + jdkName, e);
        }
    }

    /** The canonical text of an id of this kind with the given digest. */
    String format(byte[] digest) {
        return switch (this) {
            case SHA224 -> HexFormat.of().formatHex(digest);
            case MERKLE_SHA256 -> label + '-' + HexFormat.of().formatHex(digest);
            default -> label + '-' + Base64.getEncoder().encodeToString(digest);
        };
    }

    static HashAlgorithm bySriPrefix(String prefix) {
        return switch (prefix) {
            case "sha256" -> SHA256;
            case "sha384" -> SHA384;
            case "sha512" -> SHA512;
            default -> null;
        };
    }

    static HashAlgorithm byLabel(String label) {
        for (HashAlgorithm a : values()) {
            if (a.label.equals(label)) {
                return a;
            }
        }
        return null;
    }
}
