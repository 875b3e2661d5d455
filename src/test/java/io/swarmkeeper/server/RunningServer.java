package io.swarmkeeper.server;

import org.junit.jupiter.api.AfterEach;

/**
 * Base of tests that each start a signaling server of their own on loopback, closed after the
 * test. The {@code Clustered…Test} subclasses run the same tests against a server of a cluster
 * (its state in a real Redis): they must pass unchanged.
 */
abstract class RunningServer {
    protected SignalingServer server;

    protected SignalingServer start(ServerConfig.Builder config) {
        server = newServer(config.host("127.0.0.1").port(0).build()).start();
        return server;
    }

    /** The server under test, not yet started: one alone, its state in memory. */
    protected SignalingServer newServer(ServerConfig config) {
        return new SignalingServer(config);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }
}
