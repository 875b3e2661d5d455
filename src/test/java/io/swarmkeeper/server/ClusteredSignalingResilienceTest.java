package io.swarmkeeper.server;

/** {@link SignalingResilienceTest}'s tests, unchanged, against one server of a cluster over a real Redis. */
class ClusteredSignalingResilienceTest extends SignalingResilienceTest {
    @Override
    protected SignalingServer newServer(ServerConfig config) {
        return ClusteredServers.newServer(config);
    }
}
