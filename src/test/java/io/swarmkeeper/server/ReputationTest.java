package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The rules of docs/protocol.md, "Reports and confirmations", against the ways around them. */
class ReputationTest {
    private static final ResourceId R = ResourceId.of(new byte[] {1});

    private static Reputation.Party party(String id, String address, long joined) throws Exception {
        return new Reputation.Party(id, InetAddress.getByName(address), joined);
    }

    @Test
    void oneNetworkCannotCrowdOutTheReportsOfOthers() throws Exception {
        Reputation reputation = new Reputation();
        Reputation.Party liar = party("liar", "10.9.9.9", 0);
        for (int i = 1; i <= 3; i++) {
            assertTrue(reputation.report(party("v" + i, "10.0.0." + i, 0), liar, R, 1));
        }
        Reputation.Party other = party("other", "10.0.5.5", 2);
        assertTrue(reputation.excludes(other, liar, R, 3));
        // The liar's friend, offered the liar earlier, files report after report about invented resources.
        Reputation.Party friend = party("friend", "10.9.9.10", 0);
        int taken = 0;
        for (int i = 0; i < 2 * Reputation.MAX_PER_SUBJECT; i++) {
            if (reputation.report(friend, liar, ResourceId.of(new byte[] {2, (byte) i, (byte) (i >> 8)}), 4)) {
                taken++;
            }
        }
        assertEquals(Reputation.MAX_RESOURCES_PER_REPORTER, taken, "a network reports a peer about a few resources at most");
        assertTrue(reputation.excludes(other, liar, R, 5), "the honest reports are still there");
    }

    @Test
    void aNetworkThatReportedAPeerCannotConfirmIt() throws Exception {
        Reputation reputation = new Reputation();
        Reputation.Party holder = party("h", "10.9.9.9", 0);
        Reputation.Party early = party("early", "10.0.0.1", 0); // joined before the report
        assertTrue(reputation.report(party("late", "10.0.0.1", 5), holder, R, 10));
        assertFalse(reputation.vouch(early, holder, 11), "same network as a reporter, whenever it joined");
        assertEquals(0, reputation.servedRecord("h"));
    }

    @Test
    void aReportWithdrawsTheConfirmationOfItsNetworkAndLeavesNothingBehind() throws Exception {
        Reputation reputation = new Reputation();
        Reputation.Party holder = party("h", "10.9.9.9", 0);
        Reputation.Party asker = party("a", "10.0.0.1", 0);
        assertTrue(reputation.vouch(asker, holder, 1));
        assertEquals(1, reputation.servedRecord("h"));
        assertTrue(reputation.report(asker, holder, R, 2));
        assertEquals(0, reputation.servedRecord("h"));
        assertEquals(1, reputation.entries(), "one report, no empty confirmation record");
        reputation.report(party("x", "10.0.0.2", 0), party("y", "10.9.9.8", 0), R,
                2 + Reputation.SERVED_MEMORY_NANOS); // long after: everything expired
        assertEquals(1, reputation.entries());
    }

    @Test
    void aReportNeedsAResource() throws Exception {
        Reputation reputation = new Reputation();
        assertFalse(reputation.report(party("a", "10.0.0.1", 0), party("h", "10.9.9.9", 0), null, 1));
    }
}
