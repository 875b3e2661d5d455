package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PairingsTest {
    private static final ResourceId R = ResourceId.of(new byte[] {7});

    private static Reputation.Party party(String id) throws Exception {
        return new Reputation.Party(id, InetAddress.getByName("10.1.2.3"), 0);
    }

    @Test
    void aHolderThatLeftCanBeSpokenOfForTenMinutesWithItsNetwork() throws Exception {
        Pairings pairings = new Pairings();
        pairings.offer("asker", "holder", "random", R);
        assertEquals(Set.of(R), pairings.offered("asker", "holder", 0).resources());
        assertNull(pairings.offered("holder", "asker", 0), "offers go one way");
        assertEquals(Set.of("asker"), pairings.removeAll(party("holder"), 0));
        assertFalse(pairings.arePaired("asker", "holder"));
        Pairings.Offered after = pairings.offered("asker", "holder", Pairings.DEPARTED_NANOS);
        assertNotNull(after);
        assertEquals("10.1.2.3", after.departedHolder().network().getHostAddress());
        assertNull(pairings.offered("asker", "holder", Pairings.DEPARTED_NANOS + 1));
    }

    @Test
    void moreDepartedOffersThanItKeepsNeverBreakForgetting() throws Exception {
        Pairings pairings = new Pairings();
        int n = Pairings.MAX_DEPARTED + 10;
        for (int i = 0; i < n; i++) {
            pairings.offer("a" + i, "h" + i, null, R);
        }
        for (int i = 0; i < n; i++) {
            pairings.removeAll(party("h" + i), i); // within ten minutes of each other
        }
        assertNull(pairings.offered("a0", "h0", n), "the oldest departed offers made room");
        assertNotNull(pairings.offered("a" + (n - 1), "h" + (n - 1), n));
        assertEquals(0, pairings.pairCount());
    }

    @Test
    void anAskerKeepsItsNewestOffersOnly() {
        Pairings pairings = new Pairings();
        for (int i = 0; i <= Pairings.MAX_OFFERS_PER_ASKER; i++) {
            pairings.offer("asker", "h" + i, null, R);
        }
        assertFalse(pairings.arePaired("asker", "h0"), "the oldest offer gave way");
        assertNull(pairings.offered("asker", "h0", 0));
        assertTrue(pairings.arePaired("asker", "h" + Pairings.MAX_OFFERS_PER_ASKER));
        assertEquals(Pairings.MAX_OFFERS_PER_ASKER, pairings.pairCount());
    }
}
