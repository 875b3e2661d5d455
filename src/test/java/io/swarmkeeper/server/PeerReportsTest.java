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
                for (int i = 0; i < PeerReports.EXCLUDE_AFTER + 1; i++) {
                    leechers.add(RawSignalingClient.welcomed(server.url(), "peer"));
                }
                RawSignalingClient first = leechers.get(0);
                assertTrue(matched(first).contains(liar.id()));
                report(first, liar.id());
                assertEquals(List.of(honest.id()), matched(first), "the reporter is not matched with it again");
                assertTrue(matched(leechers.get(PeerReports.EXCLUDE_AFTER)).contains(liar.id()), "others still are");

                for (int i = 1; i < PeerReports.EXCLUDE_AFTER; i++) {
                    assertTrue(matched(leechers.get(i)).contains(liar.id()));
                    report(leechers.get(i), liar.id());
                    report(leechers.get(i), liar.id()); // counted once per reporter
                }
                io.swarmkeeper.testing.Poll.until(java.time.Duration.ofSeconds(5), "the reports to arrive",
                        () -> server.reportersOf(liar.id()) == PeerReports.EXCLUDE_AFTER);
                assertEquals(List.of(honest.id()), matched(leechers.get(PeerReports.EXCLUDE_AFTER)),
                        "reported by " + PeerReports.EXCLUDE_AFTER + " peers, it is offered to nobody");
            } finally {
                leechers.forEach(RawSignalingClient::close);
            }
        }
    }

    @Test
    void onlyAMatchedPeerMayReport() throws Exception {
        start(ServerConfig.builder());
        try (RawSignalingClient victim = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient stranger = RawSignalingClient.welcomed(server.url(), "peer")) {
            report(stranger, victim.id());
            JsonNode error = stranger.next("error");
            assertEquals("not-paired", error.get("code").asText());
            assertEquals(0, server.reportersOf(victim.id()));
            stranger.send("{\"type\":\"report\"}");
            assertNotNull(stranger.next("error"));
        }
    }

    @Test
    void reportsAreForgottenWithThePeer() {
        PeerReports reports = new PeerReports();
        assertTrue(reports.report("a", "x"));
        assertTrue(reports.report("b", "x"));
        assertEquals(2, reports.reporters("x"));
        reports.forget("a");
        assertEquals(1, reports.reporters("x"));
        reports.forget("x");
        assertEquals(0, reports.reporters("x"));
        assertTrue(!reports.excludes("b", "x"), "a new peer with that id starts clean");
    }
}
