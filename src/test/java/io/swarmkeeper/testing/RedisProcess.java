package io.swarmkeeper.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package, installed by .ci/setup) on a free loopback port,
 * for the cluster tests: nothing saved to disk, stopped and started again on the same port to
 * play a Redis restart.
 */
public final class RedisProcess implements AutoCloseable {
    private final int port;
    private Process process;
    private final List<String> output = new ArrayList<>();

    private RedisProcess(int port) {
        this.port = port;
    }

    public static RedisProcess start() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisProcess redis = new RedisProcess(port);
        redis.startAgain();
        return redis;
    }

    private static RedisProcess shared;

    /**
     * One Redis for the test classes that run the single server's tests against a clustered one:
     * started on first use, stopped when the test JVM ends. Each such server starts on it emptied
     * ({@link #flushAll}); the test classes of one JVM run one after another.
     */
    public static synchronized RedisProcess shared() throws IOException {
        if (shared == null) {
            RedisProcess redis = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    redis.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shared-redis-stop"));
            shared = redis;
        }
        return shared;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts it (again) on its port, empty; waits until it accepts connections. */
    public synchronized void startAgain() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server is running already");
        }
        ProcessBuilder builder = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(port),
                "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "notice")
                .redirectErrorStream(true);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot start redis-server (.ci/setup installs Debian's redis-server): " + e.getMessage(), e);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Process started = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.contains("Ready to accept connections")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            ready.complete(null);
        }, "redis-output-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("redis-server did not start: " + lastLines(), e);
        }
        if (!process.isAlive()) {
            throw new IOException("redis-server ended at once: " + lastLines());
        }
    }

    /** Empties it, between tests. */
    public void flushAll() throws IOException, InterruptedException {
        Process cli = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port), "FLUSHALL")
                .redirectErrorStream(true).start();
        String said = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (cli.waitFor() != 0 || !said.equals("OK")) {
            throw new IOException("redis-cli FLUSHALL: " + said);
        }
    }

    /** Stops it (its data is gone: nothing is saved). */
    public synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private String lastLines() {
        synchronized (output) {
            return String.join(" | ", output.subList(Math.max(0, output.size() - 5), output.size()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
