package io.swarmkeeper.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Node process in {@code assets/client} (the browser client's folder): its standard output read
 * as JSON lines, its standard error kept for the failure message.
 */
public final class NodeProcess implements AutoCloseable {
    /** The client's folder, from the project root where Surefire runs. */
    static final Path CLIENT = Path.of("assets", "client").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private NodeProcess(Process process) {
        this.process = process;
        this.outReader = pump(process.getInputStream(), line -> {
            try {
                lines.add(JSON.readTree(line));
            } catch (IOException e) {
                err.add("(stdout, not JSON) " + line);
            }
        });
        this.errReader = pump(process.getErrorStream(), err::add);
    }

    /** Fails with what to do when the client's packages were not installed. */
    public static void requireInstalled() {
        if (!Files.isDirectory(CLIENT.resolve("node_modules"))) {
            throw new AssertionError("assets/client/node_modules is missing: run `npm ci` in assets/client (.ci/setup does)");
        }
    }

    public static NodeProcess start(String... args) throws IOException {
        requireInstalled();
        List<String> command = new ArrayList<>();
        command.add("node");
        command.addAll(List.of(args));
        return new NodeProcess(new ProcessBuilder(command).directory(CLIENT.toFile()).start());
    }

    private static Thread pump(InputStream in, java.util.function.Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        sink.accept(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "node-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The first line that matches, waiting up to {@code timeout}; fails with the process's output. */
    public JsonNode await(Duration timeout, String what, Predicate<JsonNode> matching) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode line : lines) {
                if (matching.test(line)) {
                    return line;
                }
            }
            if (!process.isAlive() && !outReader.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + " from the Node peer; it printed " + lines + "; stderr:\n"
                + String.join("\n", err));
    }

    /** Waits for the process to exit by itself; returns its exit code. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the Node peer did not exit within " + timeout + "; stderr:\n" + String.join("\n", err));
        }
        outReader.join(2000);
        errReader.join(2000);
        return process.exitValue();
    }

    /** Writes one JSON line to its standard input (a command). */
    public void send(java.util.Map<String, ?> command) throws IOException {
        process.getOutputStream().write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Closes its standard input (the hold mode's signal to stop). */
    public void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    public List<JsonNode> lines() {
        return lines;
    }

    public String stderr() {
        return String.join("\n", err);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
