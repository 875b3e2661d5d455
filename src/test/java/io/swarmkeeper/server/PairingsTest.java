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
    void aHolderOnAnotherServerIsKnownByItsServerWhilePairedAndSpokenOfAfterItLeft() throws Exception {
        Pairings pairings = new Pairings();
        pairings.offer("asker", "remote", "city", R);
        pairings.remote("remote", "instance-b", InetAddress.getByName("10.9.9.9"));
        assertEquals("instance-b", pairings.homeOf("remote"), "a relayed signal needs no lookup");
        assertEquals("10.9.9.9", pairings.networkOf("remote").getHostAddress());
        pairings.remote("remote", "instance-b", null); // told again without a network: the known one stays
        assertEquals("10.9.9.9", pairings.networkOf("remote").getHostAddress());

        assertTrue(pairings.forgetDeparted("asker", new Reputation.Party("remote", pairings.networkOf("remote"), 5), 5));
        assertFalse(pairings.arePaired("asker", "remote"));
        assertNull(pairings.homeOf("remote"), "forgotten with its last pairing");
        Pairings.Offered after = pairings.offered("asker", "remote", 6);
        assertEquals(Set.of(R), after.resources());
        assertEquals("10.9.9.9", after.departedHolder().network().getHostAddress(), "may still be reported");
        assertFalse(pairings.forgetDeparted("asker", new Reputation.Party("remote", null, 7), 7), "not paired any more");

        pairings.remote("stranger", "instance-c", null);
        assertNull(pairings.homeOf("stranger"), "only partners are recorded");
    }

    @Test
    void aPairingReadsTheSameFromBothEndsWithItsReasonAndIsGoneWithEither() throws Exception {
        Pairings pairings = new Pairings();
        pairings.offer("asker", "holder", "same-asn", R);
        pairings.offer("asker", "other", null, R);
        assertEquals("same-asn", pairings.pairing("asker", "holder"));
        assertEquals("same-asn", pairings.pairing("holder", "asker"));
        assertEquals("", pairings.pairing("other", "asker"), "paired without a reason");
        assertNull(pairings.pairing("holder", "other"), "two holders of one asker are not paired");
        pairings.removeAll(party("asker"), 0);
        assertNull(pairings.pairing("holder", "asker"));
        assertNull(pairings.pairing("other", "asker"));
        assertEquals(0, pairings.pairCount());
    }

    @Test
    void readersWithoutTheLockSeeEveryPairingWhileOthersComeAndGo() throws Exception {
        Pairings pairings = new Pairings();
        pairings.offer("steady-asker", "steady-holder", "same-city", R);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger misses = new java.util.concurrent.atomic.AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                if (!"same-city".equals(pairings.pairing("steady-holder", "steady-asker"))) {
                    misses.incrementAndGet();
                }
            }
        });
        reader.start();
        for (int i = 0; i < 20_000; i++) {
            pairings.offer("steady-asker", "h" + i, null, R); // the steady asker's map grows and shrinks
            pairings.offer("a" + i, "steady-holder", null, R);
            pairings.removeAll(party("h" + i), i);
            pairings.removeAll(party("a" + i), i);
        }
        stop.set(true);
        reader.join();
        assertEquals(0, misses.get(), "a pairing that never changed was always seen");
        assertEquals(1, pairings.pairCount());
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
