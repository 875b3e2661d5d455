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
        assertNull(demand.onWant(ID, "https://site/a.jpg", 0, 0), "one want is not yet demand");
        Message.Demand d = demand.onWant(ID, null, 1, SECOND);
        assertNotNull(d);
        assertEquals(new Message.Demand(ID.text(), "https://site/a.jpg", 2, 1), d, "the origin from the first want that gave one");
        assertNull(demand.onWant(ID, null, 1, 10 * SECOND), "not again within 30 s");
        assertNotNull(demand.onWant(ID, null, 1, 40 * SECOND));
    }

    @Test
    void wellHeldOrOriginlessOrOldWantsAreNotDemand() {
        DemandTracker demand = new DemandTracker(2, 2);
        demand.onWant(ID, "https://site/a.jpg", 2, 0);
        assertNull(demand.onWant(ID, null, 2, SECOND), "two holders is enough");
        ResourceId other = ResourceId.of(new byte[] {2});
        demand.onWant(other, "file:///etc/passwd", 0, 0);
        assertNull(demand.onWant(other, "not a url", 0, SECOND), "no usable origin, nothing to fetch from");
        ResourceId stale = ResourceId.of(new byte[] {3});
        demand.onWant(stale, "http://site/b", 0, 0);
        assertNull(demand.onWant(stale, null, 0, 61 * SECOND), "the first want is older than a minute");
        assertNull(new DemandTracker(1, 0).onWant(ID, "https://site/a.jpg", 0, 0), "target 0 turns demand off");
        assertFalse(DemandTracker.isWebUrl("https://" + "x".repeat(3000)));
    }
}
