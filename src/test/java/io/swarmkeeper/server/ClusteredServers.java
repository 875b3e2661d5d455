package io.swarmkeeper.server;

import io.swarmkeeper.cluster.ClusteredServer;
import io.swarmkeeper.testing.RedisProcess;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Servers of a cluster for the {@code Clustered…Test} classes: each on the shared test Redis, emptied first. */
final class ClusteredServers {
    private ClusteredServers() {}

    static SignalingServer newServer(ServerConfig config) {
        try {
            RedisProcess redis = RedisProcess.shared();
            redis.flushAll();
            SignalingServer server = ClusteredServer.create(config.toBuilder().redis(redis.url()).build());
            if (server.clusterInstance() == null) {
                throw new IllegalStateException("not a server of a cluster");
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
