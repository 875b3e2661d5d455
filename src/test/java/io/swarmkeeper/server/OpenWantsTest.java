package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenWantsTest {
    private static ResourceId id(int i) {
        return ResourceId.of(new byte[] {(byte) i, (byte) (i >> 8)});
    }

    @Test
    void onePeerKeepsOnlyItsLatestWants() {
        OpenWants wants = new OpenWants(60);
        for (int i = 0; i < OpenWants.MAX_WANTS_PER_ASKER + 50; i++) {
            wants.open("greedy", id(i), 1, List.of("h" + i), 0);
        }
        assertEquals(OpenWants.MAX_WANTS_PER_ASKER, wants.size());
        assertTrue(wants.offeredBy("greedy", "h0", 0).isEmpty(), "the oldest went first");
        assertEquals(1, wants.offeredBy("greedy", "h" + (OpenWants.MAX_WANTS_PER_ASKER + 49), 0).size());
    }

    @Test
    void expiredWantsGoWhenTheAskerWantsMore() {
        OpenWants wants = new OpenWants(1);
        wants.open("p", id(1), 1, List.of("h"), 0);
        wants.open("p", id(2), 1, List.of("h"), 2_000_000_000L);
        assertEquals(1, wants.size());
    }
}
