package io.swarmkeeper.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RedisProcess;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.Swarm;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real peers over real WebRTC, a seeder on one server of a cluster and leechers on two others. */
@Timeout(120)
class ClusterSwarmTest {
    @Test
    void leechersOnTwoServersFetchVerifiedBytesFromASeederOnAThird() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            ServerConfig config = ServerConfig.loopback(0).toBuilder().demandMinWants(1).redis(redis.url()).build();
            try (Swarm onB = Swarm.on(ClusteredServer.create(config).start());
                 Swarm onA = Swarm.on(ClusteredServer.create(config).start());
                 Swarm onC = Swarm.on(ClusteredServer.create(config).start())) {
                byte[] body = DemoOrigin.sampleBytes(18, 3 * 1024 * 1024 + 17);
                ResourceId id = onB.publish("photo.jpg", body);
                SeederPeer seeder = onB.seeder("photo.jpg");
                onB.origin().close(); // from now on only the seeder has it
                Poll.until(Duration.ofSeconds(10), "the seeder's holding seen from the other server",
                        () -> onA.server().holderCount(id) == 1);

                LeecherPeer leecher = onA.leecher();
                FetchResult result = leecher.fetch(id);
                assertEquals("peer:" + seeder.id(), result.source());
                assertArrayEquals(body, leecher.store().readAll(id).orElseThrow(), "verified bytes, stored");

                // A third server: its leecher is matched across the cluster too (with the seeder,
                // or with the first leecher if that one announced what it fetched).
                LeecherPeer third = onC.leecher();
                FetchResult again = third.fetch(id);
                assertTrue(again.source().equals("peer:" + seeder.id()) || again.source().equals("peer:" + leecher.id()),
                        again.source());
                assertArrayEquals(body, third.store().readAll(id).orElseThrow());
            }
        }
    }
}
