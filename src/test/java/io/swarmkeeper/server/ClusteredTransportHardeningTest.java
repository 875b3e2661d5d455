package io.swarmkeeper.server;

/** {@link TransportHardeningTest}'s tests, unchanged, against one server of a cluster over a real Redis. */
class ClusteredTransportHardeningTest extends TransportHardeningTest {
    @Override
    protected SignalingServer newServer(ServerConfig config) {
        return ClusteredServers.newServer(config);
    }
}
