package io.swarmkeeper.cluster;

import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;

/**
 * A signaling server that is one of several sharing their state in Redis ({@link
 * ServerConfig#redis()}): the directory of peers and holdings in Redis, signals for peers of
 * other instances routed through it. Closing the server leaves the cluster.
 */
public final class ClusteredServer {
    private ClusteredServer() {}

    /**
     * Joins the cluster and makes the server (not started). Throws {@link IllegalStateException}
     * naming the Redis server when it cannot be reached.
     */
    public static SignalingServer create(ServerConfig config) {
        return create(config, RedisCluster.Timing.DEFAULT);
    }

    static SignalingServer create(ServerConfig config, RedisCluster.Timing timing) {
        if (config.redis() == null) {
            throw new IllegalArgumentException("no Redis configured");
        }
        return create(config, RedisCluster.join(config.redis(), timing));
    }

    /** A server on a cluster membership already made (the tests stop its beat to play a killed instance). */
    static SignalingServer create(ServerConfig config, RedisCluster cluster) {
        try {
            RedisPeerDirectory directory = new RedisPeerDirectory(cluster);
            return new SignalingServer(config, directory, new RedisBus(cluster, directory),
                    new RedisResumption(cluster, config.resumeGraceSeconds()),
                    new RedisDemandLedger(cluster, config.demandMinWants(), config.demandTargetHolders()));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }
}
