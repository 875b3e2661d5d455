package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import org.junit.jupiter.api.Test;

class DemandTrackerTest {
    private static final ResourceId ID = ResourceId.of(new byte[] {1});
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aResourceWantedOftenAndHeldByFewIsInDemandOnceEveryThirtySeconds() {
        DemandTracker demand = new DemandTracker(2, 2);
        assertNull(demand.onWant(ID, "https://site/a.jpg", "10.0.0.1", 0, 0), "one want is not yet demand");
        assertNull(demand.onWant(ID, "https://site/a.jpg", "10.0.0.1", 0, 1), "nor two from the same address");
        Message.Demand d = demand.onWant(ID, null, "10.0.0.2", 1, SECOND);
        assertNotNull(d);
        assertEquals(new Message.Demand(ID.text(), "https://site/a.jpg", 2, 1), d);
        assertNull(demand.onWant(ID, null, "10.0.0.3", 1, 10 * SECOND), "not again within 30 s");
        assertNotNull(demand.onWant(ID, null, "10.0.0.3", 1, 40 * SECOND));
    }

    @Test
    void wellHeldOrOriginlessOrOldWantsAreNotDemand() {
        DemandTracker demand = new DemandTracker(2, 2);
        demand.onWant(ID, "https://site/a.jpg", "10.0.0.1", 2, 0);
        assertNull(demand.onWant(ID, null, "10.0.0.2", 2, SECOND), "two holders is enough");
        ResourceId other = ResourceId.of(new byte[] {2});
        demand.onWant(other, "file:///etc/passwd", "10.0.0.1", 0, 0);
        assertNull(demand.onWant(other, "not a url", "10.0.0.2", 0, SECOND), "no usable origin, nothing to fetch from");
        ResourceId stale = ResourceId.of(new byte[] {3});
        demand.onWant(stale, "http://site/b", "10.0.0.1", 0, 0);
        assertNull(demand.onWant(stale, null, "10.0.0.2", 0, 61 * SECOND), "the first want is older than a minute");
        assertNull(new DemandTracker(1, 0).onWant(ID, "https://site/a.jpg", "10.0.0.1", 0, 0), "target 0 turns demand off");
    }

    @Test
    void theOriginMostAskersGaveWinsNotTheFirst() {
        DemandTracker demand = new DemandTracker(3, 2);
        demand.onWant(ID, "https://evil.example/big.iso", "10.0.0.66", 0, 0);
        demand.onWant(ID, "https://site/a.jpg", "10.0.0.1", 0, 1);
        Message.Demand d = demand.onWant(ID, "https://site/a.jpg", "10.0.0.2", 0, 2);
        assertEquals("https://site/a.jpg", d.origin());
    }

    @Test
    void forgetsWhatNobodyWantsAnyMore() {
        DemandTracker demand = new DemandTracker(2, 2);
        for (int i = 0; i < 100; i++) {
            demand.onWant(ResourceId.of(new byte[] {(byte) i, 7}), "https://site/" + i, "10.0.0.1", 0, i);
        }
        assertEquals(100, demand.tracked());
        demand.onWant(ID, null, "10.0.0.1", 0, DemandTracker.FORGET_NANOS + 1000);
        assertEquals(1, demand.tracked(), "ten minutes without a want and they are gone");
        assertFalse(DemandLedger.isWebUrl("https://" + "x".repeat(3000)));
    }
}
