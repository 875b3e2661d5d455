package io.swarmkeeper.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.RedisPerClass;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three signaling servers over one real redis-server: what one server learns of the swarm (a
 * holder arriving, reports, confirmations, wants that make demand) counts on the others as if
 * it had happened there.
 */
@Timeout(60)
class ClusterSharedStateTest {
    /** Nothing here needs a server seen dead soon: a slow machine must not take one for dead. */
    private static final RedisCluster.Timing PATIENT = new RedisCluster.Timing(Duration.ofMillis(500), Duration.ofSeconds(5));
    private static final String HASH = ResourceId.of("shared".getBytes(StandardCharsets.UTF_8)).text();
    private static final int EXCLUDE_AFTER = 3; // server.Reputation.EXCLUDE_AFTER
    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();
    private final List<SignalingServer> servers = new ArrayList<>();
    private final List<RawSignalingClient> clients = new ArrayList<>();
    private SignalingServer a;
    private SignalingServer b;
    private SignalingServer c;

    @BeforeEach
    void startServers() throws Exception {
        redis.flushAll();
        a = server();
        b = server();
        c = server();
    }

    private SignalingServer server() {
        SignalingServer s = ClusteredServer.create(ServerConfig.loopback(0).toBuilder().redis(redis.url()).build(), PATIENT)
                .start();
        servers.add(s);
        return s;
    }

    @AfterEach
    void stopServers() {
        clients.forEach(RawSignalingClient::close);
        servers.forEach(SignalingServer::close);
    }

    private RawSignalingClient peer(SignalingServer on, String role, String address) throws Exception {
        RawSignalingClient client = RawSignalingClient.welcomed(on.url(), role, address);
        clients.add(client);
        return client;
    }

    private static List<String> matched(RawSignalingClient asker, int count) throws InterruptedException {
        asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"count\":" + count + "}");
        List<String> ids = new ArrayList<>();
        asker.next("match").get("peers").forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    private static void have(RawSignalingClient holder) {
        holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
    }

    @Test
    void aHolderAnnouncingOnOneServerIsOfferedToAnAskerWaitingOnAnother() throws Exception {
        RawSignalingClient asker = peer(a, "peer", "127.0.0.2");
        assertEquals(List.of(), matched(asker, 1), "nobody holds it yet");
        RawSignalingClient holder = peer(b, "seeder", "127.0.0.3");
        have(holder);
        JsonNode offered = asker.next("match");
        assertEquals(holder.id(), offered.get("peers").get(0).get("id").asText(), offered.toString());
        // Offered by A, so the two may signal across the servers.
        asker.send("{\"type\":\"signal\",\"to\":\"" + holder.id() + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"x\"}}");
        assertEquals(asker.id(), holder.next("signal").get("from").asText());

        // A peer on C that stopped waiting (it cancelled) is offered nothing.
        RawSignalingClient gaveUp = peer(c, "peer", "127.0.0.4");
        String other = ResourceId.of("other".getBytes(StandardCharsets.UTF_8)).text();
        gaveUp.send("{\"type\":\"want\",\"hash\":\"" + other + "\"}");
        assertEquals(0, gaveUp.next("match").get("peers").size());
        gaveUp.send("{\"type\":\"cancel\",\"hash\":\"" + other + "\"}");
        // Answered after the cancel was handled (one connection's messages are handled in order).
        gaveUp.send("{\"type\":\"want\",\"hash\":\"" + ResourceId.of(new byte[] {1}).text() + "\"}");
        gaveUp.next("match");
        holder.send("{\"type\":\"have\",\"hashes\":[\"" + other + "\"]}");
        assertTrue(gaveUp.quietFor(700), "a cancelled want is offered nothing");
    }

    @Test
    void reportsThroughOneServerLeaveAHolderOutOnTheOthersAndOnOneStartedLater() throws Exception {
        RawSignalingClient liar = peer(b, "seeder", "127.0.0.20");
        RawSignalingClient honest = peer(c, "seeder", "127.0.0.21");
        have(liar);
        have(honest);
        Poll.until(Duration.ofSeconds(5), "both holdings seen from A", () -> a.holderCount(ResourceId.parse(HASH)) == 2);
        for (int i = 0; i < EXCLUDE_AFTER; i++) { // each from a network of its own, through A
            RawSignalingClient reporter = peer(a, "peer", "127.0.0." + (2 + i));
            assertTrue(matched(reporter, 2).contains(liar.id()));
            reporter.send("{\"type\":\"report\",\"peer\":\"" + liar.id() + "\",\"hash\":\"" + HASH
                    + "\",\"reason\":\"sent bad bytes\"}");
        }
        Poll.until(Duration.ofSeconds(5), "the reports taken on A", () -> a.reportersOf(liar.id()) == EXCLUDE_AFTER);
        for (SignalingServer other : List.of(b, c)) {
            Poll.until(Duration.ofSeconds(5), "the reports counted on " + other.clusterInstance(),
                    () -> other.reportersOf(liar.id()) == EXCLUDE_AFTER);
        }
        RawSignalingClient askerOnC = peer(c, "peer", "127.0.0.9");
        assertEquals(List.of(honest.id()), matched(askerOnC, 2), "left out on C too");
        RawSignalingClient askerOnB = peer(b, "peer", "127.0.0.10");
        assertEquals(List.of(honest.id()), matched(askerOnB, 2), "and on B, where it is connected");

        SignalingServer later = server();
        Poll.until(Duration.ofSeconds(5), "the reports read back by a server started later",
                () -> later.reportersOf(liar.id()) == EXCLUDE_AFTER);
    }

    @Test
    void aHolderOnAnotherServerCanBeConfirmedAndReportedEvenAfterItLeft() throws Exception {
        RawSignalingClient holder = peer(b, "seeder", "127.0.0.30");
        have(holder);
        Poll.until(Duration.ofSeconds(5), "the holding seen from A", () -> a.holderCount(ResourceId.parse(HASH)) == 1);
        RawSignalingClient pleased = peer(a, "peer", "127.0.0.2");
        assertEquals(List.of(holder.id()), matched(pleased, 1));
        pleased.send("{\"type\":\"served\",\"peer\":\"" + holder.id() + "\",\"hash\":\"" + HASH + "\"}");
        Poll.until(Duration.ofSeconds(5), "the confirmation taken on A", () -> a.servedRecordOf(holder.id()) == 1);
        Poll.until(Duration.ofSeconds(5), "and counted on B", () -> b.servedRecordOf(holder.id()) == 1);
        assertTrue(pleased.quietFor(300), "no error: " + pleased.drain());

        RawSignalingClient cheated = peer(a, "peer", "127.0.0.3");
        assertEquals(List.of(holder.id()), matched(cheated, 1));
        String holderId = holder.id();
        holder.close();
        assertEquals(holderId, cheated.next("peer-gone").get("id").asText());
        cheated.send("{\"type\":\"report\",\"peer\":\"" + holderId + "\",\"hash\":\"" + HASH + "\",\"reason\":\"bad bytes\"}");
        Poll.until(Duration.ofSeconds(5), "a holder that left another server reported", () -> a.reportersOf(holderId) == 1);
        Poll.until(Duration.ofSeconds(5), "and counted where it was", () -> b.reportersOf(holderId) == 1);
    }

    @Test
    void aReportTakenWhileRedisWasAwayIsSharedOnceItIsBack() throws Exception {
        RawSignalingClient holder = peer(a, "seeder", "127.0.0.50");
        have(holder);
        RawSignalingClient reporter = peer(a, "peer", "127.0.0.51");
        assertEquals(List.of(holder.id()), matched(reporter, 1));
        String liar = holder.id();
        redis.stop();
        try {
            reporter.send("{\"type\":\"report\",\"peer\":\"" + liar + "\",\"hash\":\"" + HASH + "\",\"reason\":\"bad\"}");
            Poll.until(Duration.ofSeconds(5), "the report taken on A", () -> a.reportersOf(liar) == 1);
        } finally {
            redis.startAgain(); // empty: the servers learn their peers anew, and A shares what waited
        }
        SignalingServer later = server();
        Poll.until(Duration.ofSeconds(10), "the report shared once Redis was back", () -> later.reportersOf(liar) == 1);
    }

    @Test
    void wantsThroughTwoServersMakeOneDemandForASeederOnTheThird() throws Exception {
        RawSignalingClient seeder = peer(c, "seeder", "127.0.0.40");
        String want = "{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"origin\":\"https://site.example/a.jpg\"}";
        RawSignalingClient first = peer(a, "peer", "127.0.0.2");
        first.send(want);
        first.next("match");
        assertTrue(seeder.quietFor(300), "one address is not yet demand");
        RawSignalingClient second = peer(b, "peer", "127.0.0.3");
        second.send(want);
        second.next("match");
        JsonNode demand = seeder.next("demand");
        assertEquals(HASH, demand.get("hash").asText());
        assertEquals("https://site.example/a.jpg", demand.get("origin").asText());
        assertEquals(2, demand.get("wants").asInt(), demand.toString());

        RawSignalingClient third = peer(c, "peer", "127.0.0.4");
        third.send(want);
        third.next("match");
        assertTrue(seeder.quietFor(700), "told once, whichever server the wants came through");
    }
}
