package io.swarmkeeper.testing;

import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server for one test class ({@link RedisProcess}): started before its first test,
 * stopped after its last. Register it as {@code @RegisterExtension static final RedisPerClass redis}.
 */
public final class RedisPerClass implements BeforeAllCallback, AfterAllCallback {
    private RedisProcess process;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        process = RedisProcess.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (process != null) {
            process.close();
        }
    }

    public String url() {
        return process.url();
    }

    public int port() {
        return process.port();
    }

    /** Empties it, between tests. */
    public void flushAll() throws IOException, InterruptedException {
        process.flushAll();
    }

    /** Stops it (its data is gone), to play a Redis restart with {@link #startAgain}. */
    public void stop() throws InterruptedException {
        process.stop();
    }

    public void startAgain() throws IOException {
        process.startAgain();
    }
}
