package io.swarmkeeper.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of tests that each run in a swarm of their own: a signaling server, an origin, started and closed around every test. */
public abstract class InSwarm {
    protected Swarm swarm;

    @BeforeEach
    void startSwarm() throws Exception {
        swarm = Swarm.start();
    }

    @AfterEach
    void closeSwarm() throws Exception {
        swarm.close();
    }
}
