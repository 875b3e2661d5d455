package io.swarmkeeper.server;

class InMemoryPeerDirectoryTest extends PeerDirectoryContract {
    @Override
    protected PeerDirectory directory() {
        return new InMemoryPeerDirectory();
    }
}
