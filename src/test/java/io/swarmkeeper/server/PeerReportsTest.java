package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.testing.RawSignalingClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Peers report misbehaving peers; the server stops matching them. */
class PeerReportsTest extends RunningServer {
    private static final String HASH = ResourceId.of(new byte[] {42}).text();

    private static List<String> matched(RawSignalingClient asker) throws InterruptedException {
        asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"count\":5}");
        JsonNode match = asker.next("match");
        List<String> ids = new ArrayList<>();
        match.get("peers").forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    private static void report(RawSignalingClient reporter, String peer) {
        reporter.send("{\"type\":\"report\",\"peer\":\"" + peer + "\",\"hash\":\"" + HASH + "\",\"reason\":\"sent bad bytes\"}");
    }

    @Test
    void aReporterIsNotMatchedAgainAndEnoughReportersExcludeAPeer() throws Exception {
        start(ServerConfig.builder());
        try (RawSignalingClient liar = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient honest = RawSignalingClient.welcomed(server.url(), "seeder")) {
            for (RawSignalingClient s : List.of(liar, honest)) {
                s.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            }
            List<RawSignalingClient> leechers = new ArrayList<>();
            try {
                for (int i = 0; i < Reputation.EXCLUDE_AFTER + 1; i++) { // each from its own address
                    leechers.add(RawSignalingClient.welcomed(server.url(), "peer", "127.0.0." + (2 + i)));
                }
                RawSignalingClient first = leechers.get(0);
                assertTrue(matched(first).contains(liar.id()));
                report(first, liar.id());
                assertEquals(List.of(honest.id()), matched(first), "the reporter is not matched with it again");
                assertTrue(matched(leechers.get(Reputation.EXCLUDE_AFTER)).contains(liar.id()), "others still are");

                for (int i = 1; i < Reputation.EXCLUDE_AFTER; i++) {
                    assertTrue(matched(leechers.get(i)).contains(liar.id()));
                    report(leechers.get(i), liar.id());
                    report(leechers.get(i), liar.id()); // counted once per reporter
                }
                io.swarmkeeper.testing.Poll.until(java.time.Duration.ofSeconds(5), "the reports to arrive",
                        () -> server.reportersOf(liar.id()) == Reputation.EXCLUDE_AFTER);
                assertEquals(List.of(honest.id()), matched(leechers.get(Reputation.EXCLUDE_AFTER)),
                        "reported by " + Reputation.EXCLUDE_AFTER + " peers, it is offered to nobody");
            } finally {
                leechers.forEach(RawSignalingClient::close);
            }
        }
    }

    @Test
    void onlyAnAskerThatWasOfferedTheHolderMayReportIt() throws Exception {
        start(ServerConfig.builder());
        try (RawSignalingClient victim = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient stranger = RawSignalingClient.welcomed(server.url(), "peer")) {
            report(stranger, victim.id());
            assertEquals("not-paired", stranger.next("error").get("code").asText());
            // The holder cannot report the asker it was paired with either: reports go one way.
            victim.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            matched(stranger);
            report(victim, stranger.id());
            assertEquals("not-paired", victim.next("error").get("code").asText());
            assertEquals(0, server.reportersOf(stranger.id()));
            stranger.send("{\"type\":\"report\"}");
            assertNotNull(stranger.next("error"));
        }
    }

    @Test
    void manyIdsFromOneAddressCountAsOneReporter() throws Exception {
        start(ServerConfig.builder());
        try (RawSignalingClient holder = RawSignalingClient.welcomed(server.url(), "seeder")) {
            holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
            List<RawSignalingClient> sockPuppets = new ArrayList<>();
            try {
                for (int i = 0; i < Reputation.EXCLUDE_AFTER + 2; i++) {
                    RawSignalingClient puppet = RawSignalingClient.welcomed(server.url(), "peer");
                    sockPuppets.add(puppet);
                    matched(puppet);
                    report(puppet, holder.id());
                }
                RawSignalingClient honest = RawSignalingClient.welcomed(server.url(), "peer", "127.0.0.9");
                sockPuppets.add(honest);
                io.swarmkeeper.testing.Poll.until(java.time.Duration.ofSeconds(5), "the reports",
                        () -> server.reportersOf(holder.id()) == 1);
                assertEquals(List.of(holder.id()), matched(honest), "still offered to everyone else");
            } finally {
                sockPuppets.forEach(RawSignalingClient::close);
            }
        }
    }

    @Test
    void reportsOutliveTheReporterAndExpire() throws Exception {
        Reputation reputation = new Reputation();
        long hour = Reputation.REPORT_MEMORY_NANOS;
        ResourceId r = ResourceId.parse(HASH);
        Reputation.Party x = party("x", "10.0.9.9", 0);
        assertTrue(reputation.report(party("a", "10.0.0.1", 0), x, r, 0));
        assertTrue(reputation.report(party("b", "10.0.0.2", 0), x, r, 1));
        assertTrue(!reputation.report(party("a", "10.0.0.1", 0), x, r, 2), "once per reporter");
        assertEquals(2, reputation.reporters("x"));
        assertTrue(reputation.excludes(party("a", "10.0.0.1", 0), x, r, 10), "the reporter is not matched with it again");
        assertTrue(!reputation.excludes(party("c", "10.0.0.3", 0), x, r, 10));
        reputation.report(party("c", "10.0.0.3", 0), party("y", "10.0.9.8", 0), r, hour + 5); // an hour later: the old reports are gone
        assertEquals(0, reputation.reporters("x"));
        assertTrue(!reputation.excludes(party("a", "10.0.0.1", 0), x, r, hour + 5));
    }

    private static Reputation.Party party(String id, String address, long joined) throws Exception {
        return new Reputation.Party(id, java.net.InetAddress.getByName(address), joined);
    }
}
