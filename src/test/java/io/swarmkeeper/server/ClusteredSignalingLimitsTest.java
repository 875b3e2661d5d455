package io.swarmkeeper.server;

/** {@link SignalingLimitsTest}'s tests, unchanged, against one server of a cluster over a real Redis. */
class ClusteredSignalingLimitsTest extends SignalingLimitsTest {
    @Override
    protected SignalingServer newServer(ServerConfig config) {
        return ClusteredServers.newServer(config);
    }
}
