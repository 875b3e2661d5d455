package io.swarmkeeper.server;

import org.junit.jupiter.api.AfterEach;

/** Base of tests that each start a signaling server of their own on loopback, closed after the test. */
abstract class RunningServer {
    protected SignalingServer server;

    protected SignalingServer start(ServerConfig.Builder config) {
        server = new SignalingServer(config.host("127.0.0.1").port(0).build()).start();
        return server;
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }
}
