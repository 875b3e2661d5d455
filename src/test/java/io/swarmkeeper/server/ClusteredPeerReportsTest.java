package io.swarmkeeper.server;

/** {@link PeerReportsTest}'s tests, unchanged, against one server of a cluster over a real Redis. */
class ClusteredPeerReportsTest extends PeerReportsTest {
    @Override
    protected SignalingServer newServer(ServerConfig config) {
        return ClusteredServers.newServer(config);
    }
}
