package io.swarmkeeper.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResourceIdTest {
    private static final byte[] ABC_BYTES = "abc".getBytes(StandardCharsets.US_ASCII);
    private static final String ABC = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";
    // `printf abc | openssl dgst -sha256 -binary | base64` (and -sha384, -sha512)
    private static final String ABC_SHA256 = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
    private static final String ABC_SHA384 = "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn";
    private static final String ABC_SHA512 =
            "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==";

    @Test
    void hashesBytesWithSha224ByDefault() {
        assertEquals(ABC, ResourceId.of(ABC_BYTES).text());
        assertEquals(HashAlgorithm.SHA224, ResourceId.parse(ABC).algorithm());
    }

    @Test
    void parsesUppercaseAndCanonicalisesToLowercase() {
        ResourceId id = ResourceId.parse(ABC.toUpperCase());
        assertEquals(ABC, id.text());
        assertEquals(ResourceId.parse(ABC), id);
    }

    @Test
    void acceptsSubresourceIntegrityForms() {
        assertEquals(ABC_SHA256, ResourceId.of(HashAlgorithm.SHA256, ABC_BYTES).text());
        assertEquals(ABC_SHA384, ResourceId.of(HashAlgorithm.SHA384, ABC_BYTES).text());
        assertEquals(ABC_SHA512, ResourceId.of(HashAlgorithm.SHA512, ABC_BYTES).text());
        for (String sri : new String[] {ABC_SHA256, ABC_SHA384, ABC_SHA512}) {
            ResourceId id = ResourceId.parse(sri);
            assertEquals(sri, id.text());
            assertTrue(id.matches(id.newDigest().digest(ABC_BYTES)));
        }
        // base64url, no padding, SRI options and an uppercase prefix name the same resource
        ResourceId canonical = ResourceId.parse(ABC_SHA256);
        assertEquals(canonical, ResourceId.parse("sha256-ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"));
        assertEquals(canonical, ResourceId.parse("SHA256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=?opt"));
        assertNotEquals(ResourceId.parse(ABC), canonical, "different hashes are different ids");
    }

    @Test
    void hasAFileSafeKeyThatRoundTrips() {
        for (String text : new String[] {ABC, ABC_SHA256, ABC_SHA384, ABC_SHA512}) {
            ResourceId id = ResourceId.parse(text);
            assertTrue(id.key().matches("sha(224|256|384|512)-[0-9a-f]+"), id.key());
            assertEquals(id, ResourceId.fromKey(id.key()));
        }
        assertEquals("sha224-" + ABC, ResourceId.parse(ABC).key());
        assertThrows(IllegalArgumentException.class, () -> ResourceId.fromKey("sha224-" + ABC.toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> ResourceId.fromKey("md5-" + ABC));
        assertThrows(IllegalArgumentException.class, () -> ResourceId.fromKey(ABC));
    }

    @Test
    void refusesBadIdsWithAClearReason() {
        assertMessage("abc", "56 hex characters");
        assertMessage(ABC.substring(1) + "g", "56 hex characters");
        assertMessage("", "empty");
        assertMessage("md5-kAFQmDzST7DWlj99KOF/cg==", "unknown hash \"md5\"");
        assertMessage("sha256-not base64!", "not valid base64");
        assertMessage("sha256-" + ABC_SHA384.substring(7), "a sha256 digest is 32 bytes");
        assertThrows(IllegalArgumentException.class, () -> ResourceId.parse(null));
        assertFalse(ResourceId.isValid(ABC + "0"));
        assertTrue(ResourceId.isValid(ABC));
        assertTrue(ResourceId.isValid(ABC_SHA512));
    }

    private static void assertMessage(String id, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResourceId.parse(id));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void describesAWrongDigestInItsOwnForm() {
        ResourceId id = ResourceId.parse(ABC_SHA256);
        byte[] other = id.newDigest().digest("abd".getBytes(StandardCharsets.US_ASCII));
        assertFalse(id.matches(other));
        assertTrue(id.describe(other).startsWith("sha256-"));
        HashMismatchException e = new HashMismatchException(id, other, "from peer p1");
        assertEquals("hash mismatch from peer p1: expected " + ABC_SHA256 + ", got " + id.describe(other), e.getMessage());
    }
}
