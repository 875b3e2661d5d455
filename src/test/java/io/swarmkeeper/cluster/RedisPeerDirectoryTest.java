package io.swarmkeeper.cluster;

import io.swarmkeeper.server.PeerDirectory;
import io.swarmkeeper.server.PeerDirectoryContract;
import io.swarmkeeper.testing.RedisPerClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The directory contract against a real redis-server. */
class RedisPeerDirectoryTest extends PeerDirectoryContract {
    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();
    private RedisCluster cluster;

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
