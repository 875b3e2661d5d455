package io.swarmkeeper.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;

/**
 * A detached signature of a manifest's exact bytes, kept beside it as {@code <manifest>.sig}:
 * {@code {"algorithm":"ed25519","key":"ed25519:<base64>","signature":"<base64 of 64 bytes>"}}.
 * The key names the signer; only a key the seeder trusts makes the signature count.
 */
public record ManifestSignature(OriginKey key, byte[] signature) {
    public static ManifestSignature sign(byte[] manifest, SigningKey key) {
        return new ManifestSignature(key.publicKey(), key.sign(manifest));
    }

    public String toJson() {
        ObjectNode json = MessageCodec.mapper().createObjectNode();
        json.put("algorithm", "ed25519");
        json.put("key", key.text());
        json.put("signature", Base64.getEncoder().encodeToString(signature));
        return json.toString() + "\n";
    }

    /** Parses a signature file; {@code where} names it in error messages. */
    public static ManifestSignature parse(byte[] bytes, String where) throws IOException {
        JsonNode json;
        try {
            json = MessageCodec.mapper().readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException("signature " + where + " is not JSON: " + e.getMessage(), e);
        }
        if (json == null || !"ed25519".equals(json.path("algorithm").asText())) {
            throw new IOException("signature " + where + ": algorithm must be \"ed25519\"");
        }
        try {
            OriginKey key = OriginKey.parse(json.path("key").asText());
            byte[] signature = Base64.getDecoder().decode(json.path("signature").asText());
            return new ManifestSignature(key, signature);
        } catch (IllegalArgumentException e) {
            throw new IOException("signature " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that this signature is by one of {@code trusted} and matches {@code manifest};
     * throws with a message saying which of the two failed.
     */
    public void check(byte[] manifest, Collection<OriginKey> trusted, String where) throws IOException {
        if (!trusted.contains(key)) {
            throw new IOException("manifest " + where + " is signed by " + key.text() + ", which is not a trusted origin key");
        }
        if (!key.verifies(manifest, signature)) {
            throw new IOException("manifest " + where + " does not match its signature: it was changed after signing,"
                    + " or the signature is damaged");
        }
    }
}
