package io.swarmkeeper.server;

/** {@link ClientPacingTest}'s tests, unchanged, against one server of a cluster over a real Redis. */
class ClusteredClientPacingTest extends ClientPacingTest {
    @Override
    protected SignalingServer newServer(ServerConfig config) {
        return ClusteredServers.newServer(config);
    }
}
