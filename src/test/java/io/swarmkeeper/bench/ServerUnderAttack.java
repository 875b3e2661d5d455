package io.swarmkeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.RawWebSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signaling server, in its own JVM and pinned to one core, under one attack at a time from
 * this process (pinned to the other), while a well-behaved pair of peers relays an offer and its
 * answer 20 times a second. Prints what the server used (resident memory, descriptors, CPU),
 * what the pair saw (round-trip p50/p99/max, probes lost), what the server counted, and whether
 * it served a newcomer afterwards.
 *
 * <pre>
 *   .ci/bench ServerUnderAttack ATTACK [--seconds 30] [--heap 512m] [--jar OLD.jar --legacy]
 * </pre>
 * ATTACK: idle-one (19,000 sockets from one address that never upgrade), idle-many (the same
 * from 190 addresses), huge-headers (8 upgrade requests with 64 MiB of headers), have-flood
 * (8 ids of one address announcing 100,000 hashes each), slow-readers (8 pairs whose receiver
 * stopped reading), bad-frames (connections sending frames the protocol forbids), fd-exhaustion
 * (idle-many against a server limited to 2,048 descriptors), oom (a 64 MiB heap and no limits
 * on holdings). {@code --jar} runs another build's server (e.g. one built at 2b2ae61) with the
 * flags it knows ({@code --legacy}).
 */
public final class ServerUnderAttack {
    private static final Pattern LISTENING = Pattern.compile("listening on ws://127\\.0\\.0\\.1:(\\d+)");
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";

    private final String attack;
    private final int seconds;
    private final String heap;
    private final String jar;
    private final boolean legacy;
    private Process server;
    private long pid;
    private int port;
    private final List<String> serverLines = new CopyOnWriteArrayList<>();
    private final AtomicBoolean attacking = new AtomicBoolean();
    private final List<Long> probeMicros = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong probesLost = new AtomicLong();
    private final List<Closeable> held = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong attackCount = new AtomicLong();
    private int logStart;

    private interface Closeable {
        void close() throws IOException;
    }

    private ServerUnderAttack(String[] args) {
        this.attack = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        this.seconds = Integer.parseInt(option(rest, "--seconds", "30"));
        this.heap = option(rest, "--heap", attack.equals("oom") ? "64m" : "512m");
        this.jar = option(rest, "--jar", null);
        this.legacy = rest.contains("--legacy");
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ServerUnderAttack ATTACK [--seconds N] [--heap SIZE] [--jar FILE --legacy]");
            System.exit(2);
        }
        new ServerUnderAttack(args).run();
        System.exit(0);
    }

    private void run() throws Exception {
        startServer();
        Sample before = sample();
        RawSignalingClient holder = RawSignalingClient.welcomed("ws://127.0.0.1:" + port, "seeder", "127.0.0.2");
        RawSignalingClient asker = RawSignalingClient.welcomed("ws://127.0.0.1:" + port, "peer", "127.0.0.3");
        holder.send("{\"type\":\"have\",\"hashes\":[\"" + HASH + "\"]}");
        Thread.sleep(200);
        asker.send("{\"type\":\"want\",\"hash\":\"" + HASH + "\"}");
        asker.next("match");
        Thread responder = daemon("responder", () -> answer(holder));
        responder.start();
        Thread prober = daemon("prober", () -> probe(asker, holder.id()));
        prober.start();
        Thread.sleep(3000);
        probeMicros.clear();
        probesLost.set(0);

        List<Sample> during = new ArrayList<>();
        attacking.set(true);
        long cpuBefore = cpuMillis();
        long start = System.nanoTime();
        Thread attacker = daemon("attack", this::attack);
        attacker.start();
        Integer exitCode = null;
        long exitedAfterMs = -1;
        int logLinesBefore = serverLines.size();
        logStart = logLinesBefore;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
            Thread.sleep(1000);
            if (!server.isAlive()) {
                exitCode = server.exitValue();
                exitedAfterMs = (System.nanoTime() - start) / 1_000_000;
                break;
            }
            during.add(sample());
        }
        attacking.set(false);
        long cpuDuring = exitCode == null ? cpuMillis() - cpuBefore : -1;
        int logLines = serverLines.size() - logLinesBefore;
        List<Long> latencies;
        synchronized (probeMicros) {
            latencies = new ArrayList<>(probeMicros);
        }
        long lost = probesLost.get();
        attacker.interrupt();
        attacker.join(10_000);
        for (Closeable c : held) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed by the server
            }
        }
        held.clear();

        // Afterwards: does a newcomer get welcomed, and how soon?
        long newcomerMs = -1;
        Sample after = null;
        if (exitCode == null) {
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30)) {
                try (RawSignalingClient c = RawSignalingClient.welcomed("ws://127.0.0.1:" + port, "peer", "127.0.0.9")) {
                    newcomerMs = (System.nanoTime() - t0) / 1_000_000;
                    break;
                } catch (AssertionError | Exception e) {
                    Thread.sleep(250);
                }
            }
            Thread.sleep(2000);
            after = sample();
        }
        report(before, during, after, cpuDuring, latencies, lost, newcomerMs, exitCode, exitedAfterMs, logLines);
        holder.close();
        asker.close();
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        server.destroyForcibly();
    }

    private void startServer() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.addAll(List.of("taskset", "-c", "1"));
        if (attack.equals("fd-exhaustion")) {
            command.addAll(List.of("prlimit", "--nofile=2048:2048"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-cp");
        command.add(jar != null ? jar : System.getProperty("java.class.path"));
        command.add("io.swarmkeeper.cli.Main");
        command.addAll(List.of("server", "--host", "127.0.0.1", "--port", "0"));
        if (attack.equals("oom")) {
            command.addAll(List.of("--max-holdings-per-peer", "100000000", "--max-hashes-per-message", "5000",
                    "--max-frame-bytes", "1048576", "--messages-per-second", "1000000", "--message-burst", "1000000",
                    "--max-connections-per-address", "10000"));
            if (!legacy) {
                command.addAll(List.of("--max-holdings-per-address", "100000000", "--max-holdings", "1000000000"));
            }
        }
        if (attack.equals("idle-one") || attack.equals("idle-many") || attack.equals("fd-exhaustion")) {
            // What the outside tester ran with: the per-address limit itself is what is tested by idle-one.
            command.addAll(List.of("--max-handshakes-per-second", "100000"));
        }
        server = new ProcessBuilder(command).redirectErrorStream(true).start();
        pid = server.pid();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String line;
        while ((line = out.readLine()) != null) {
            serverLines.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                break;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        if (port == 0) {
            throw new IOException("server did not start: " + serverLines);
        }
        daemon("server-output", () -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    serverLines.add(l);
                }
            } catch (IOException ignored) {
                // ended
            }
        }).start();
        // java.lang.ProcessHandle of taskset/prlimit is the JVM itself: both exec it.
    }

    // ---- the well-behaved pair ----

    private void answer(RawSignalingClient holder) {
        try {
            while (true) {
                JsonNode signal = holder.nextOrNull(60_000);
                if (signal == null || !"signal".equals(signal.path("type").asText())) {
                    continue;
                }
                holder.send("{\"type\":\"signal\",\"to\":\"" + signal.get("from").asText()
                        + "\",\"data\":{\"type\":\"answer\",\"sdp\":\"" + signal.get("data").get("sdp").asText() + "\"}}");
            }
        } catch (Exception e) {
            // the pair ends with the run
        }
    }

    private void probe(RawSignalingClient asker, String holderId) {
        long n = 0;
        try {
            while (true) {
                String tag = "probe-" + n++;
                long t0 = System.nanoTime();
                asker.send("{\"type\":\"signal\",\"to\":\"" + holderId + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"" + tag + "\"}}");
                boolean answered = false;
                while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10)) {
                    JsonNode reply = asker.nextOrNull(100);
                    if (reply != null && "signal".equals(reply.path("type").asText())
                            && tag.equals(reply.path("data").path("sdp").asText())) {
                        probeMicros.add((System.nanoTime() - t0) / 1000);
                        answered = true;
                        break;
                    }
                }
                if (!answered) {
                    probesLost.incrementAndGet();
                }
                long wait = 50 - (System.nanoTime() - t0) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
            }
        } catch (Exception e) {
            // the pair ends with the run
        }
    }

    // ---- the attacks ----

    private void attack() {
        try {
            switch (attack) {
                case "idle-one" -> idle(1, 19_000);
                case "idle-many" -> idle(190, 100);
                case "fd-exhaustion" -> idle(40, 100);
                case "huge-headers" -> parallel(8, i -> hugeHeader(64 << 20));
                case "have-flood" -> parallel(8, i -> haveFlood(i, 100_000));
                case "slow-readers" -> parallel(8, this::slowReader);
                case "bad-frames" -> badFrames();
                case "oom" -> parallel(4, i -> haveFlood(i, Integer.MAX_VALUE));
                default -> throw new IllegalArgumentException("unknown attack " + attack);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("attack stopped: " + e);
        }
    }

    private interface Task {
        void run(int index) throws Exception;
    }

    private void parallel(int n, Task task) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            threads.add(daemon("attacker-" + i, () -> {
                try {
                    task.run(index);
                } catch (Exception e) {
                    // the server closed on it: as it should
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Sockets that connect and then say nothing, {@code perAddress} from each of {@code addresses} addresses. */
    private void idle(int addresses, int perAddress) throws InterruptedException {
        for (int i = 0; i < perAddress && attacking.get(); i++) {
            for (int a = 0; a < addresses && attacking.get(); a++) {
                Socket s = new Socket();
                try {
                    s.bind(new InetSocketAddress("127.0." + (10 + a / 250) + "." + (1 + a % 250), 0));
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    held.add(s::close);
                    attackCount.incrementAndGet();
                } catch (IOException e) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // nothing held
                    }
                }
            }
        }
        while (attacking.get()) {
            Thread.sleep(100);
        }
    }

    private void hugeHeader(int size) throws IOException {
        try (RawWebSocket ws = RawWebSocket.open("127.0.0.1", port, "127.0.1.1")) {
            byte[] filler = new byte[65536];
            Arrays.fill(filler, (byte) 'a');
            ws.write((RawWebSocket.upgradeHead("127.0.0.1", port) + "X-Filler: ").getBytes(StandardCharsets.US_ASCII));
            for (int sent = 0; sent < size && attacking.get(); sent += filler.length) {
                ws.write(filler);
                attackCount.addAndGet(filler.length);
            }
            ws.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ws.readResponseHead();
        }
    }

    private void haveFlood(int index, int hashes) throws IOException {
        try (RawWebSocket ws = RawWebSocket.upgraded("127.0.0.1", port, "127.0.1.1", 0)) {
            ws.sendText("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
            int perMessage = attack.equals("oom") ? 5000 : 1000;
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int sent = 0; sent < hashes && attacking.get(); sent += perMessage) {
                StringBuilder have = new StringBuilder(perMessage * 60).append("{\"type\":\"have\",\"hashes\":[");
                for (int i = 0; i < perMessage; i++) {
                    have.append(i == 0 ? "\"" : ",\"");
                    for (int j = 0; j < 7; j++) {
                        have.append(String.format(Locale.ROOT, "%08x", random.nextInt()));
                    }
                    have.append('"');
                }
                ws.sendText(have.append("]}").toString());
                attackCount.addAndGet(perMessage);
                if (!attack.equals("oom")) {
                    Thread.sleep(25); // within the default message rate: the limits, not the rate, are under test
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void slowReader(int index) throws Exception {
        String hash = String.format(Locale.ROOT, "%056x", 1000 + index);
        RawWebSocket victim = RawWebSocket.upgraded("127.0.0.1", port, "127.0.3." + (index + 1), 4096);
        held.add(victim::close);
        victim.sendText("{\"type\":\"hello\",\"version\":1,\"role\":\"seeder\"}");
        String victimId = io.swarmkeeper.protocol.MessageCodec.mapper().readTree(victim.readFrame().text()).get("id").asText();
        victim.sendText("{\"type\":\"have\",\"hashes\":[\"" + hash + "\"]}");
        Thread.sleep(200);
        RawWebSocket sender = RawWebSocket.upgraded("127.0.0.1", port, "127.0.4." + (index + 1), 0);
        held.add(sender::close);
        sender.sendText("{\"type\":\"hello\",\"version\":1}");
        sender.sendText("{\"type\":\"want\",\"hash\":\"" + hash + "\"}");
        // Drain the sender's side so that only the victim stops reading.
        daemon("drain-" + index, () -> {
            try {
                while (true) {
                    sender.readFrame();
                }
            } catch (IOException ignored) {
                // closed
            }
        }).start();
        String sdp = "x".repeat(30_000);
        while (attacking.get()) {
            sender.sendText("{\"type\":\"signal\",\"to\":\"" + victimId + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"" + sdp + "\"}}");
            attackCount.addAndGet(30_000);
            Thread.sleep(22); // about 45 a second: within the default message rate
        }
    }

    private void badFrames() throws InterruptedException {
        while (attacking.get()) {
            for (int i = 0; i < 20 && attacking.get(); i++) {
                try (RawWebSocket ws = RawWebSocket.upgraded("127.0.0.1", port, "127.0.5." + (1 + i), 0)) {
                    ws.sendFrame(0x3, new byte[] {1, 2, 3});
                    ws.closedByServerWithin(2000);
                    attackCount.incrementAndGet();
                } catch (IOException e) {
                    // refused
                }
            }
            Thread.sleep(100);
        }
    }

    // ---- measuring ----

    private record Sample(long rssKb, int fds) {}

    private Sample sample() {
        long rss = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        String[] fds = Path.of("/proc", String.valueOf(pid), "fd").toFile().list();
        return new Sample(rss, fds == null ? -1 : fds.length);
    }

    private long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException e) {
            return -1;
        }
    }

    private void report(Sample before, List<Sample> during, Sample after, long cpuMs, List<Long> latencies, long lost,
                        long newcomerMs, Integer exitCode, long exitedAfterMs, int logLines) {
        long peakRss = during.stream().mapToLong(Sample::rssKb).max().orElse(-1);
        int peakFds = during.stream().mapToInt(Sample::fds).max().orElse(-1);
        Collections.sort(latencies);
        System.out.printf(Locale.ROOT, "attack %s (%s, heap %s, %d s): %d units sent%n", attack,
                jar == null ? "this build" : jar, heap, seconds, attackCount.get());
        System.out.printf(Locale.ROOT, "  server resident MB: before %.1f, peak %.1f, after %s%n", before.rssKb() / 1024.0,
                peakRss / 1024.0, after == null ? "-" : String.format(Locale.ROOT, "%.1f", after.rssKb() / 1024.0));
        System.out.printf(Locale.ROOT, "  server descriptors: before %d, peak %d, after %s%n", before.fds(), peakFds,
                after == null ? "-" : String.valueOf(after.fds()));
        System.out.printf(Locale.ROOT, "  server CPU during the attack: %s%n", cpuMs < 0 ? "-" : String.format(Locale.ROOT, "%.1f s", cpuMs / 1000.0));
        System.out.printf(Locale.ROOT, "  pair round trip: %d probes, p50 %s, p99 %s, max %s, lost %d%n", latencies.size(),
                ms(latencies, 0.5), ms(latencies, 0.99), ms(latencies, 1.0), lost);
        System.out.printf(Locale.ROOT, "  server log lines during the attack: %d%n", logLines);
        serverLines.stream().skip(logStart).limit(Math.min(logLines, 3))
                .forEach(l -> System.out.println("    | " + (l.length() > 200 ? l.substring(0, 200) + "…" : l)));
        if (exitCode != null) {
            System.out.printf(Locale.ROOT, "  server exited with %d after %.1f s%n", exitCode, exitedAfterMs / 1000.0);
            List<String> tail = serverLines.subList(Math.max(0, serverLines.size() - 3), serverLines.size());
            tail.forEach(l -> System.out.println("    | " + l));
        } else {
            System.out.printf(Locale.ROOT, "  newcomer afterwards: %s%n", newcomerMs < 0 ? "NOT SERVED within 30 s"
                    : "welcomed after " + newcomerMs + " ms");
        }
    }

    private static String ms(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int i = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(q * sorted.size()) - 1));
        return String.format(Locale.ROOT, "%.1f ms", sorted.get(i) / 1000.0);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
