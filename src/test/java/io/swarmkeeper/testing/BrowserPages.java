package io.swarmkeeper.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Real Chromium pages for tests: Debian's {@code /usr/bin/chromium}, driven by
 * {@code src/test/browser/page-runner.cjs} through playwright-core (from the browser client's
 * {@code node_modules}). A plan of steps (open a page in a profile, keep it open, wait for the
 * test, close) runs in one browser process; each step's result comes back as one JSON object.
 */
public final class BrowserPages implements AutoCloseable {
    private static final Path RUNNER = Path.of("src/test/browser/page-runner.cjs");
    private static final Path CLIENT_MODULES = Path.of("assets/client/node_modules");

    private final Process process;
    private final BlockingQueue<JsonNode> results = new LinkedBlockingQueue<>();
    private final List<String> console = new CopyOnWriteArrayList<>();

    private BrowserPages(Process process) {
        this.process = process;
        Thread out = new Thread(() -> read(true), "chromium-results");
        Thread err = new Thread(() -> read(false), "chromium-console");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    /** A plan under construction. */
    public static final class Plan {
        private final ObjectNode plan = MessageCodec.mapper().createObjectNode();
        private final ArrayNode steps = plan.putArray("steps");

        /** Opens {@code url} in the browser profile {@code profile} and waits until the page is done. */
        public Plan open(String profile, String url) {
            steps.addObject().put("open", url).put("profile", profile);
            return this;
        }

        /** As {@link #open}, and the page stays open (to serve what it holds) until its profile closes. */
        public Plan openAndKeep(String profile, String url) {
            steps.addObject().put("open", url).put("profile", profile).put("keepOpen", true);
            return this;
        }

        /** As {@link #open}, with a screenshot of the whole page. */
        public Plan openWithScreenshot(String profile, String url, Path png) {
            steps.addObject().put("open", url).put("profile", profile).put("screenshot", png.toString());
            return this;
        }

        /** Waits until the test calls {@link BrowserPages#resume()}. */
        public Plan awaitTest(String why) {
            steps.addObject().put("awaitLine", why);
            return this;
        }

        public Plan close(String profile) {
            steps.addObject().put("close", profile);
            return this;
        }

        public Plan timeoutMillis(long millis) {
            plan.put("timeoutMillis", millis);
            return this;
        }
    }

    public static Plan plan() {
        return new Plan();
    }

    /** Starts Chromium on the plan; results arrive as its steps finish. */
    public static BrowserPages run(Plan plan) throws IOException {
        if (!Files.isDirectory(CLIENT_MODULES.resolve("playwright-core"))) {
            throw new IllegalStateException("playwright-core is not installed: run `npm ci` in assets/client (.ci/test does)");
        }
        if (!Files.isExecutable(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")))) {
            throw new IllegalStateException("Chromium is not installed: .ci/setup installs Debian's chromium");
        }
        ProcessBuilder builder = new ProcessBuilder("node", RUNNER.toString(), plan.plan.toString());
        builder.environment().put("NODE_PATH", CLIENT_MODULES.toAbsolutePath().toString());
        return new BrowserPages(builder.start());
    }

    /** The next step's result, waiting up to {@code seconds}. */
    public JsonNode next(long seconds) throws InterruptedException {
        JsonNode result = results.poll(seconds, TimeUnit.SECONDS);
        if (result == null) {
            throw new AssertionError("no result from Chromium within " + seconds + " s; its console: " + tail());
        }
        return result;
    }

    /** Lets a plan waiting in {@link Plan#awaitTest} go on. */
    public void resume() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** What the pages printed on their consoles (and the runner's own errors), last lines. */
    public String tail() {
        List<String> lines = List.copyOf(console);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private void read(boolean results) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                results ? process.getInputStream() : process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (results && line.startsWith("{")) {
                    this.results.add(MessageCodec.mapper().readTree(line));
                } else {
                    console.add(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Waits for the plan to end; its exit status. */
    public int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("Chromium's plan did not end within " + seconds + " s; console: " + tail());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
