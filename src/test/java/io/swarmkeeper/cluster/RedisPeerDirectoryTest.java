package io.swarmkeeper.cluster;

import io.swarmkeeper.server.PeerDirectory;
import io.swarmkeeper.server.PeerDirectoryContract;
import io.swarmkeeper.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The directory contract against a real redis-server. */
class RedisPeerDirectoryTest extends PeerDirectoryContract {
    private static RedisProcess redis;
    private RedisCluster cluster;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Override
    protected PeerDirectory directory() {
        cluster = RedisCluster.join(redis.url(), RedisCluster.Timing.DEFAULT);
        cluster.redis().flushall();
        cluster.beat();
        return new RedisPeerDirectory(cluster);
    }

    @AfterEach
    void leave() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
