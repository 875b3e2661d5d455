package io.swarmkeeper.server;

/** {@link ServerTrustTest}'s tests, unchanged, against one server of a cluster over a real Redis. */
class ClusteredServerTrustTest extends ServerTrustTest {
    @Override
    protected SignalingServer newServer(ServerConfig config) {
        return ClusteredServers.newServer(config);
    }
}
