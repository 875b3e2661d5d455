package io.swarmkeeper.server;

/**
 * {@link SignalingServerTest}'s tests, unchanged, against one server of a cluster over a real
 * Redis (the one with a ranking policy of its own runs in memory here too: a cluster's servers
 * rank by the configured policy).
 */
class ClusteredSignalingServerTest extends SignalingServerTest {
    @Override
    protected SignalingServer newServer(ServerConfig config) {
        return ClusteredServers.newServer(config);
    }
}
