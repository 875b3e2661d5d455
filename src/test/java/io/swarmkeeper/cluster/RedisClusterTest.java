package io.swarmkeeper.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.server.PeerRecord;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RedisPerClass;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Instances of one cluster over a real redis-server: who is alive, what the dead leave, Redis going away. */
@Timeout(60)
class RedisClusterTest {
    private static final RedisCluster.Timing FAST = new RedisCluster.Timing(Duration.ofMillis(100), Duration.ofSeconds(1));
    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();
    private RedisCluster a;
    private RedisCluster b;

    @BeforeEach
    void join() {
        a = RedisCluster.join(redis.url(), FAST);
        a.redis().flushall();
        a.beat();
        b = RedisCluster.join(redis.url(), FAST);
    }

    @AfterEach
    void leave() {
        a.close();
        b.close();
    }

    @Test
    void instancesSeeEachOtherAndEachOthersHolders() throws Exception {
        Poll.until(Duration.ofSeconds(5), "both alive to both", () -> a.liveInstances().equals(Set.of(a.instance(), b.instance()))
                && b.liveInstances().equals(Set.of(a.instance(), b.instance())));
        RedisPeerDirectory onA = new RedisPeerDirectory(a);
        RedisPeerDirectory onB = new RedisPeerDirectory(b);
        ResourceId id = ResourceId.of("shared".getBytes(StandardCharsets.UTF_8));
        onA.add(new PeerRecord("seederOnA", PeerRole.SEEDER));
        onA.addHoldings("seederOnA", List.of(id));
        onB.add(new PeerRecord("browserOnB", PeerRole.BROWSER));
        onB.addHoldings("browserOnB", List.of(id));
        assertEquals(Set.of("seederOnA", "browserOnB"), ids(onB.holders(id, 10)));
        assertEquals(a.instance(), onB.homeOf("seederOnA"));
        assertEquals(2, onA.size());
    }

    @Test
    void aSilentInstanceDropsOutAndItsPeersAreRemoved() throws Exception {
        RedisPeerDirectory onA = new RedisPeerDirectory(a);
        RedisPeerDirectory onB = new RedisPeerDirectory(b);
        ResourceId id = ResourceId.of("orphaned".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 5; i++) {
            onA.add(new PeerRecord("a" + i, PeerRole.SEEDER));
            onA.addHoldings("a" + i, List.of(id));
        }
        onB.add(new PeerRecord("b0", PeerRole.SEEDER));
        onB.addHoldings("b0", List.of(id));
        assertEquals(6, onB.holders(id).size());

        a.stopBeating(); // as if its process were killed: no goodbye
        Poll.until(Duration.ofSeconds(5), "A's peers gone from B's answers", () -> onB.holders(id).size() == 1);
        assertEquals(Set.of("b0"), ids(onB.holders(id)));
        Poll.until(Duration.ofSeconds(5), "A's peers removed from Redis", () -> b.janitorPeers() == 5);
        assertFalse(b.liveInstances().contains(a.instance()));
        assertEquals(1, onB.totalHoldings());
        assertEquals(0L, b.redis().exists("sk:peer:a0", "sk:held:a0", "sk:inst:" + a.instance() + ":peers"));
        assertTrue(onB.find("a0").isEmpty());
    }

    @Test
    void redisGoneIsCountedAndLoggedAndItsReturnIsJoinedAgain() throws Exception {
        redis.stop();
        Poll.until(Duration.ofSeconds(10), "failed beats counted", () -> a.beatFailures() >= 2);
        assertTrue(a.lastError() != null && !a.lastError().isBlank(), "the failure is said: " + a.lastError());
        redis.startAgain(); // empty: a restart without persistence
        Poll.until(Duration.ofSeconds(20), "beating again", () -> a.beatFailures() == 0 && b.beatFailures() == 0);
        Poll.until(Duration.ofSeconds(5), "both alive again", () -> a.liveInstances().equals(Set.of(a.instance(), b.instance())));
        RedisPeerDirectory onA = new RedisPeerDirectory(a);
        onA.add(new PeerRecord("after", PeerRole.PEER));
        assertTrue(onA.find("after").isPresent(), "scripts are loaded again after the restart");
    }

    @Test
    void aBadOrUnreachableRedisIsRefusedWithAClearError() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> RedisCluster.join("http://127.0.0.1:6379", FAST));
        assertTrue(bad.getMessage().contains("Redis URL"), bad.getMessage());
        IllegalStateException unreachable = assertThrows(IllegalStateException.class,
                () -> RedisCluster.join("redis://:sekrit@127.0.0.1:1", FAST));
        assertTrue(unreachable.getMessage().contains("redis://127.0.0.1:1"), unreachable.getMessage());
        assertFalse(unreachable.getMessage().contains("sekrit"), "the password is never said: " + unreachable.getMessage());
    }

    @Test
    void aRedisUserWithItsPasswordIsAcceptedAndAWrongPasswordRefusedUnsaid() {
        // An ACL user as a managed Redis gives one (Redis 6+): redis://USER:PASSWORD@HOST:PORT.
        a.redis().aclSetuser("swarmkeeper", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("s3cret")
                .allKeys().allChannels().allCommands());
        String port = redis.url().substring(redis.url().lastIndexOf(':') + 1);
        RedisCluster withUser = RedisCluster.join("redis://swarmkeeper:s3cret@127.0.0.1:" + port, FAST);
        try {
            withUser.beat();
            assertTrue(withUser.liveInstances().contains(withUser.instance()), "it beats as that user");
        } finally {
            withUser.close();
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> RedisCluster.join("redis://swarmkeeper:wrong@127.0.0.1:" + port, FAST));
        assertFalse(refused.getMessage().contains("wrong"), "the password is never said: " + refused.getMessage());
        assertTrue(refused.getMessage().contains("127.0.0.1:" + port), refused.getMessage());
    }

    private static Set<String> ids(List<PeerRecord> records) {
        return records.stream().map(PeerRecord::id).collect(Collectors.toSet());
    }
}
