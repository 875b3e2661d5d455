package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.RawWebSocket;
import io.swarmkeeper.testing.SwarmkeeperProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The signaling server as an operator runs it, in its own JVM, under the attacks that end a
 * process rather than a connection: running out of file descriptors and running out of heap.
 */
@Timeout(120)
class ServerProcessHardeningTest {
    private static final Pattern PORT = Pattern.compile(":(\\d+)$");

    @Test
    void runningOutOfDescriptorsPausesAcceptingInsteadOfClosingTheListener() throws Exception {
        assertServerOutlivesADescriptorFlood("64", "swarmkeeper_accept_paused_total");
    }

    @Test
    void theListenerSurvivesAcceptFailingWithTooManyOpenFiles() throws Exception {
        // No reserve: accept() itself fails with EMFILE; the listener must live through it.
        assertServerOutlivesADescriptorFlood("0", "swarmkeeper_accept_errors_total");
    }

    private void assertServerOutlivesADescriptorFlood(String reserve, String metric) throws Exception {
        SwarmkeeperProcess server = SwarmkeeperProcess.startWrapped(List.of("prlimit", "--nofile=400:400"),
                List.of("-Xmx128m"), "server", "--port", "0", "--metrics-port", "0",
                "--max-connections-per-address", "100000", "--max-handshakes-per-second", "100000",
                "--upgrade-timeout-ms", "600000", "--fd-reserve", reserve);
        List<Socket> flood = new ArrayList<>();
        try {
            int port = port(server.awaitStdout("listening on"));
            String metrics = server.awaitStdout("metrics on").replaceAll(".*metrics on (\\S+)/metrics.*", "$1");
            // More connections than the process has descriptors, from many addresses, never upgraded.
            for (int i = 0; i < 700; i++) {
                Socket s = new Socket();
                try {
                    s.bind(new InetSocketAddress("127.0.1." + (1 + i % 200), 0));
                    s.connect(new InetSocketAddress("127.0.0.1", port), 300);
                    flood.add(s);
                } catch (IOException e) {
                    s.close(); // the backlog is full: the server stopped accepting, as it should
                }
            }
            Thread.sleep(1500);
            assertTrue(server.isAlive(), "the server died under the flood: " + server.stderrLines());
            for (Socket s : flood) {
                s.close();
            }
            flood.clear();
            // Once descriptors are free again, the server accepts and serves.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            AssertionError last = null;
            while (System.nanoTime() < deadline) {
                try (RawSignalingClient client = RawSignalingClient.welcomed("ws://127.0.0.1:" + port, "peer")) {
                    last = null;
                    break;
                } catch (AssertionError e) {
                    last = e;
                    Thread.sleep(500);
                }
            }
            if (last != null) {
                throw new AssertionError("the server no longer accepts after the flood; stderr: " + server.stderrLines(), last);
            }
            String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + metric + " (\\d+)$").matcher(text);
            assertTrue(m.find(), metric + " missing from /metrics:\n" + text);
            assertTrue(Long.parseLong(m.group(1)) > 0, metric + " is 0");
            assertTrue(server.stderrLines().stream().anyMatch(l -> l.contains("descriptors")),
                    "nothing logged about descriptors: " + server.stderrLines());
        } finally {
            for (Socket s : flood) {
                s.close();
            }
            server.stop();
        }
    }

    @Test
    void runningOutOfHeapEndsTheProcess() throws Exception {
        // Limits opened wide so that the heap runs out: whatever runs out of memory, the process
        // must end (for its supervisor to restart it) rather than live on accepting nothing.
        SwarmkeeperProcess server = SwarmkeeperProcess.startWrapped(List.of(), List.of("-Xmx48m"),
                "server", "--port", "0", "--max-holdings-per-peer", "100000000", "--max-holdings-per-address", "100000000",
                "--max-holdings", "1000000000", "--max-hashes-per-message", "5000", "--max-frame-bytes", "1048576",
                "--messages-per-second", "1000000", "--message-burst", "1000000");
        try {
            int port = port(server.awaitStdout("listening on"));
            Integer exit;
            // Blocking writes from a thread of their own: the flood goes as fast as the server reads.
            try (RawWebSocket client = RawWebSocket.upgraded("127.0.0.1", port, null, 0)) {
                client.sendText("{\"type\":\"hello\",\"version\":1}");
                Thread writer = new Thread(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            client.sendText(randomHave(5000));
                        }
                    } catch (IOException closed) {
                        // the server went
                    }
                }, "have-flood");
                writer.setDaemon(true);
                writer.start();
                exit = server.awaitExit(Duration.ofSeconds(60));
                writer.interrupt();
            }
            assertNotNull(exit, "the server ran out of heap and lives on; stderr: " + tail(server.stderrLines()));
            assertNotEquals(0, exit);
            Integer status = exit;
            assertTrue(server.stderrLines().stream().anyMatch(l -> l.contains("OutOfMemoryError")),
                    () -> "exit " + status + ", nothing said about OutOfMemoryError; stderr: " + tail(server.stderrLines()));
        } finally {
            server.stop();
        }
    }

    private static String randomHave(int n) {
        StringBuilder out = new StringBuilder(n * 60).append("{\"type\":\"have\",\"hashes\":[");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "\"" : ",\"");
            for (int j = 0; j < 7; j++) {
                out.append(String.format("%08x", random.nextInt()));
            }
            out.append('"');
        }
        return out.append("]}").toString();
    }

    private static int port(String line) {
        Matcher m = PORT.matcher(line.trim());
        assertTrue(m.find(), line);
        int port = Integer.parseInt(m.group(1));
        assertNotEquals(0, port);
        return port;
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
