package io.swarmkeeper.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResourceIdTest {
    private static final String ABC = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";

    @Test
    void hashesBytesWithSha224() {
        assertEquals(ABC, ResourceId.of("abc".getBytes(StandardCharsets.US_ASCII)).hex());
    }

    @Test
    void parsesUppercaseAndCanonicalisesToLowercase() {
        ResourceId id = ResourceId.parse(ABC.toUpperCase());
        assertEquals(ABC, id.hex());
        assertEquals(ResourceId.parse(ABC), id);
    }

    @Test
    void refusesWhatIsNotSha224Hex() {
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> ResourceId.parse("abc"));
        assertTrue(tooShort.getMessage().contains("56 hex"), tooShort.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResourceId.parse(ABC.substring(1) + "g"));
        assertThrows(IllegalArgumentException.class, () -> ResourceId.parse(null));
        assertFalse(ResourceId.isValid(ABC + "0"));
        assertTrue(ResourceId.isValid(ABC));
    }

    @Test
    void matchesOnlyItsOwnDigest() {
        ResourceId id = ResourceId.parse(ABC);
        assertTrue(id.matches(id.newDigest().digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertFalse(id.matches(id.newDigest().digest("abd".getBytes(StandardCharsets.US_ASCII))));
    }
}
