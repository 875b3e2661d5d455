package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.geo.Asn;
import io.swarmkeeper.geo.GeoPoint;
import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.protocol.PeerRole;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What every {@link PeerDirectory} does, the in-memory one and the cluster's alike. */
public abstract class PeerDirectoryContract {
    /** A new, empty directory. */
    protected abstract PeerDirectory directory() throws Exception;

    protected static ResourceId resource(String name) {
        return ResourceId.of(name.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPeerIsFoundWithItsRoleAndPlaceUntilRemoved() throws Exception {
        PeerDirectory d = directory();
        PeerPlace lyon = new PeerPlace(new GeoPoint(45.764, 4.8357), "Lyon", "FR", new Asn(3215, "Orange"), true);
        d.add(new PeerRecord("p1", PeerRole.SEEDER, lyon));
        d.add(new PeerRecord("p2", PeerRole.BROWSER));
        assertEquals(Optional.of(new PeerRecord("p1", PeerRole.SEEDER, lyon)), d.find("p1"));
        assertEquals(Optional.of(new PeerRecord("p2", PeerRole.BROWSER)), d.find("p2"));
        assertEquals(2, d.size());
        assertEquals(0, d.remove("p1"));
        assertEquals(Optional.empty(), d.find("p1"));
        assertEquals(1, d.size());
    }

    @Test
    void holdingsAreCountedOnceAndLeaveWithTheirPeer() throws Exception {
        PeerDirectory d = directory();
        ResourceId a = resource("a");
        ResourceId b = resource("b");
        d.add(new PeerRecord("p1", PeerRole.SEEDER));
        d.add(new PeerRecord("p2", PeerRole.PEER));
        assertEquals(2, d.addHoldings("p1", List.of(a, b)));
        assertEquals(0, d.addHoldings("p1", List.of(a)), "a holding announced again is not new");
        assertEquals(1, d.addHoldings("p2", List.of(a)));
        assertEquals(0, d.addHoldings("nobody", List.of(a)), "holdings of a peer that is not there are refused");
        assertEquals(2, d.holdingCount("p1"));
        assertEquals(3, d.totalHoldings());
        assertEquals(Set.of("p1", "p2"), ids(d.holders(a)));
        assertEquals(1, d.removeHoldings("p1", List.of(a, resource("never held"))));
        assertEquals(Set.of("p2"), ids(d.holders(a)));
        assertEquals(1, d.remove("p1"), "p1 still held b");
        assertTrue(d.holders(b).isEmpty());
        assertEquals(1, d.totalHoldings());
    }

    @Test
    void aPopularResourceIsSampledNotListedWhole() throws Exception {
        PeerDirectory d = directory();
        ResourceId popular = resource("popular");
        for (int i = 0; i < 60; i++) {
            d.add(new PeerRecord("h" + i, PeerRole.SEEDER));
            d.addHoldings("h" + i, List.of(popular));
        }
        List<PeerRecord> sample = d.holders(popular, 10);
        assertEquals(10, sample.size());
        assertEquals(10, ids(sample).size(), "distinct holders");
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 30; round++) {
            seen.addAll(ids(d.holders(popular, 10)));
        }
        assertTrue(seen.size() > 30, "samples vary: " + seen.size() + " of 60 seen");
        assertEquals(IntStream.range(0, 60).mapToObj(i -> "h" + i).collect(Collectors.toSet()), ids(d.holders(popular, 100)));
    }

    protected static Set<String> ids(List<PeerRecord> records) {
        return records.stream().map(PeerRecord::id).collect(Collectors.toSet());
    }
}
