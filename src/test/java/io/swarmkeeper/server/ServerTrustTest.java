package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reports, confirmations and announcements from peers that may lie: a few colluding addresses,
 * a liar that changes its id, a reporter that comes back, a network announcing from many ids.
 * Each peer here connects from its own loopback address, as peers on different networks would.
 */
@Timeout(60)
class ServerTrustTest extends RunningServer {
    private static final String A = ResourceId.of(new byte[] {1}).text();
    private static final String B = ResourceId.of(new byte[] {2}).text();

    private final List<RawSignalingClient> clients = new ArrayList<>();

    private RawSignalingClient peer(String address, String role) throws Exception {
        RawSignalingClient c = RawSignalingClient.welcomed(server.url(), role, address);
        clients.add(c);
        return c;
    }

    @org.junit.jupiter.api.AfterEach
    void closeClients() {
        clients.forEach(RawSignalingClient::close);
    }

    private static void have(RawSignalingClient c, String... hashes) {
        c.send("{\"type\":\"have\",\"hashes\":[\"" + String.join("\",\"", hashes) + "\"]}");
    }

    private static List<String> want(RawSignalingClient asker, String hash, int count) throws InterruptedException {
        asker.send("{\"type\":\"want\",\"hash\":\"" + hash + "\",\"count\":" + count + "}");
        JsonNode match = asker.next("match");
        List<String> ids = new ArrayList<>();
        match.get("peers").forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    private static void report(RawSignalingClient reporter, String peer, String hash) {
        reporter.send("{\"type\":\"report\",\"peer\":\"" + peer + "\",\"hash\":\"" + hash + "\",\"reason\":\"bad bytes\"}");
    }

    private static void served(RawSignalingClient asker, String peer, String hash) {
        asker.send("{\"type\":\"served\",\"peer\":\"" + peer + "\",\"hash\":\"" + hash + "\",\"bytes\":1000}");
    }

    private void awaitHolders(String hash, int n) throws InterruptedException {
        Poll.until(Duration.ofSeconds(5), n + " holders", () -> server.holderCount(ResourceId.parse(hash)) == n);
    }

    @Test
    void threeCollidingAddressesCannotExcludeASeederThatServedOthers() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient seeder = peer("127.0.1.1", "seeder");
        have(seeder, A);
        awaitHolders(A, 1);
        for (int i = 0; i < 4; i++) {
            RawSignalingClient honest = peer("127.0.2." + (i + 1), "peer");
            assertEquals(List.of(seeder.id()), want(honest, A, 1));
            served(honest, seeder.id(), A);
        }
        for (int i = 0; i < 3; i++) {
            RawSignalingClient colluder = peer("127.0.3." + (i + 1), "peer");
            assertEquals(List.of(seeder.id()), want(colluder, A, 1));
            report(colluder, seeder.id(), A);
        }
        Poll.until(Duration.ofSeconds(5), "the reports", () -> server.reportersOf(seeder.id()) == 3);
        assertEquals(List.of(seeder.id()), want(peer("127.0.4.1", "peer"), A, 1),
                "three reports do not outweigh four networks served");
    }

    @Test
    void reportsLeaveAHolderOutOnlyForTheResourceTheySpokeOf() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient seeder = peer("127.0.1.1", "seeder");
        have(seeder, A, B);
        awaitHolders(B, 1);
        for (int i = 0; i < 3; i++) {
            RawSignalingClient colluder = peer("127.0.3." + (i + 1), "peer");
            want(colluder, A, 1);
            report(colluder, seeder.id(), A);
        }
        Poll.until(Duration.ofSeconds(5), "the reports", () -> server.reportersOf(seeder.id()) == 3);
        RawSignalingClient other = peer("127.0.4.1", "peer");
        assertEquals(List.of(), want(other, A, 1), "left out for the resource reported");
        assertEquals(List.of(seeder.id()), want(other, B, 1), "still offered for the others");
    }

    @Test
    void aLiarThatReconnectsWithoutItsTokenKeepsItsRecord() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient neighbour = peer("127.0.1.1", "seeder"); // same address, there before the report
        RawSignalingClient liar = peer("127.0.1.1", "seeder");
        have(neighbour, A);
        have(liar, A);
        awaitHolders(A, 2);
        RawSignalingClient victim = peer("127.0.2.1", "peer");
        assertTrue(want(victim, A, 2).contains(liar.id()));
        report(victim, liar.id(), A);
        Poll.until(Duration.ofSeconds(5), "the report", () -> server.reportersOf(liar.id()) == 1);
        liar.close();
        Poll.until(Duration.ofSeconds(5), "the liar gone", () -> server.holderCount(ResourceId.parse(A)) == 1);
        RawSignalingClient again = peer("127.0.1.1", "seeder"); // a fresh hello, no resume token
        have(again, A);
        awaitHolders(A, 2);
        assertEquals(List.of(neighbour.id()), want(victim, A, 2),
                "the liar's new id is not offered to its victim; its neighbour from before still is");
    }

    @Test
    void aReporterThatComesBackWithANewIdIsStillNotMatchedWithTheLiar() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient liar = peer("127.0.1.1", "seeder");
        have(liar, A);
        awaitHolders(A, 1);
        RawSignalingClient victim = peer("127.0.2.1", "browser");
        assertEquals(List.of(liar.id()), want(victim, A, 1));
        report(victim, liar.id(), A);
        Poll.until(Duration.ofSeconds(5), "the report", () -> server.reportersOf(liar.id()) == 1);
        victim.close();
        RawSignalingClient reloaded = peer("127.0.2.1", "browser"); // the page reloaded
        assertEquals(List.of(), want(reloaded, A, 1));
        assertEquals(List.of(liar.id()), want(peer("127.0.2.2", "browser"), A, 1), "others still get it");
    }

    @Test
    void aHolderThatLeftRightAfterLyingCanStillBeReported() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient liar = peer("127.0.1.1", "seeder");
        have(liar, A);
        awaitHolders(A, 1);
        RawSignalingClient victim = peer("127.0.2.1", "peer");
        assertEquals(List.of(liar.id()), want(victim, A, 1));
        String liarId = liar.id();
        liar.close();
        victim.next("peer-gone");
        report(victim, liarId, A);
        Poll.until(Duration.ofSeconds(5), "the report counted", () -> server.reportersOf(liarId) == 1);
        assertTrue(victim.quietFor(300), "no not-paired error");
    }

    @Test
    void aReportIsAboutAResourceTheReporterWasOfferedTheHolderFor() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient seeder = peer("127.0.1.1", "seeder");
        have(seeder, A, B);
        awaitHolders(B, 1);
        RawSignalingClient asker = peer("127.0.2.1", "peer");
        assertEquals(List.of(seeder.id()), want(asker, A, 1));
        report(asker, seeder.id(), B); // it was offered the seeder for A, not for B
        assertEquals("not-paired", asker.next("error").get("code").asText());
        // A report without a hash (a broken protocol, a stall) is about what it was offered it for.
        for (int i = 0; i < 3; i++) {
            RawSignalingClient other = peer("127.0.3." + (i + 1), "peer");
            want(other, A, 1);
            other.send("{\"type\":\"report\",\"peer\":\"" + seeder.id() + "\",\"reason\":\"stalled\"}");
        }
        Poll.until(Duration.ofSeconds(5), "the reports", () -> server.reportersOf(seeder.id()) == 3);
        RawSignalingClient fresh = peer("127.0.4.1", "peer");
        assertEquals(List.of(), want(fresh, A, 1));
        assertEquals(List.of(seeder.id()), want(fresh, B, 1));
    }

    @Test
    void onlyTokenHoldersMaySayTheyAreSeedersOnAServerWithTokens() throws Exception {
        start(ServerConfig.builder().allowedOrigins(Set.of("https://example.org")).peerTokens(Set.of("s3cret-token-for-seeders")));
        try (RawSignalingClient page = RawSignalingClient.connect(server.url(), Map.of("Origin", "https://example.org"), null, null)) {
            page.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
            assertEquals("token-required", page.next("error").get("code").asText(), "an Origin is no token");
        }
    }

    @Test
    void manyIdsFromOneAddressCountAsOneHolder() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient honest = peer("127.0.1.1", "seeder");
        have(honest, A);
        for (int i = 0; i < 40; i++) {
            have(peer("127.0.5.1", "seeder"), A);
        }
        awaitHolders(A, 41);
        for (int i = 0; i < 20; i++) {
            List<String> offered = want(peer("127.0.6." + (i + 1), "peer"), A, 2);
            assertEquals(2, offered.size());
            assertTrue(offered.contains(honest.id()), "match " + i + " left the honest seeder out: " + offered);
        }
    }

    @Test
    void holdersWithAServedRecordAreOfferedFirst() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient proven = peer("127.0.1.1", "seeder");
        have(proven, A);
        awaitHolders(A, 1);
        RawSignalingClient first = peer("127.0.2.1", "peer");
        assertEquals(List.of(proven.id()), want(first, A, 1));
        served(first, proven.id(), A);
        RawSignalingClient unknown = peer("127.0.1.2", "seeder");
        have(unknown, A);
        awaitHolders(A, 2);
        Poll.until(Duration.ofSeconds(5), "the confirmation", () -> server.servedRecordOf(proven.id()) == 1);
        for (int i = 0; i < 10; i++) {
            List<String> two = want(peer("127.0.3." + (i + 1), "peer"), A, 2);
            assertEquals(List.of(proven.id(), unknown.id()), two, "record first, then the newcomer");
        }
    }

    @Test
    void aWantIsAnsweredWhenAHolderAnnouncesLater() throws Exception {
        start(ServerConfig.builder());
        RawSignalingClient early = peer("127.0.2.1", "browser");
        assertEquals(List.of(), want(early, A, 2));
        RawSignalingClient holder = peer("127.0.1.1", "seeder");
        have(holder, A);
        JsonNode match = early.next("match");
        assertEquals(A, match.get("hash").asText());
        assertEquals(holder.id(), match.get("peers").get(0).get("id").asText());
        // Now paired: the asker may signal the holder it was offered unasked.
        early.send("{\"type\":\"signal\",\"to\":\"" + holder.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}");
        assertEquals(early.id(), holder.next("signal").get("from").asText());
        // A want that got what it asked for hears nothing more; nor does a cancelled one.
        RawSignalingClient satisfied = peer("127.0.2.2", "browser");
        assertEquals(List.of(holder.id()), want(satisfied, A, 1));
        RawSignalingClient cancelled = peer("127.0.2.3", "browser");
        assertEquals(List.of(), want(cancelled, B, 1));
        cancelled.send("{\"type\":\"cancel\",\"hash\":\"" + B + "\"}");
        RawSignalingClient second = peer("127.0.1.2", "seeder");
        have(second, A, B);
        awaitHolders(B, 1);
        assertEquals(second.id(), early.next("match").get("peers").get(0).get("id").asText(),
                "the first want asked for two: the second holder is offered too");
        assertTrue(satisfied.quietFor(300));
        assertTrue(cancelled.quietFor(300));
    }

    @Test
    void peersWithoutAnOriginAreAdmittedBesideTheAllowedSites() throws Exception {
        start(ServerConfig.builder().allowedOrigins(Set.of("https://example.org")));
        assertTrue(RawSignalingClient.welcomed(server.url(), "seeder").isOpen(), "a seeder (no Origin) was refused");
        try (RawSignalingClient page = RawSignalingClient.connect(server.url(), Map.of("Origin", "https://example.org"), null, null)) {
            page.send("{\"type\":\"hello\",\"version\":1,\"role\":\"browser\"}");
            assertEquals("welcome", page.next().get("type").asText());
        }
        try (RawSignalingClient other = RawSignalingClient.connect(server.url(), Map.of("Origin", "https://evil.example"), null, null)) {
            assertEquals("origin-not-allowed", other.next().get("code").asText());
        }
    }

    @Test
    void aServerWithPeerTokensAdmitsPeersWithoutOriginOnlyWithOne() throws Exception {
        String token = "s3cret-token-for-seeders";
        start(ServerConfig.builder().allowedOrigins(Set.of("https://example.org")).peerTokens(Set.of(token)));
        try (RawSignalingClient none = RawSignalingClient.connect(server.url())) {
            assertEquals("token-required", none.next().get("code").asText());
        }
        try (RawSignalingClient wrong = RawSignalingClient.connect(server.url(), Map.of("Authorization", "Bearer nope-nope-nope-nope"), null, null)) {
            JsonNode error = wrong.next();
            assertEquals("token-required", error.get("code").asText());
            assertFalse(error.get("message").asText().contains("nope"), "the error must not echo the token");
        }
        try (RawSignalingClient right = RawSignalingClient.connect(server.url(), Map.of("Authorization", "Bearer " + token), null, null)) {
            right.send("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
            assertEquals("welcome", right.next().get("type").asText());
        }
        try (RawSignalingClient page = RawSignalingClient.connect(server.url(), Map.of("Origin", "https://example.org"), null, null)) {
            page.send("{\"type\":\"hello\",\"version\":1,\"role\":\"browser\"}");
            assertEquals("welcome", page.next().get("type").asText(), "pages of allowed sites need no token");
        }
    }
}
