package io.swarmkeeper.bench;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Fetcher;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.OfferFlood;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The flood, measured on the real `swarmkeeper seed` command in its own JVM: a signaling
 * server and an origin in this JVM, then {@code ids} raw signaling clients that each send the
 * seeder {@code rate} real offers a second for {@code seconds}, while a fresh honest fetcher
 * fetches a 1 MB resource from the seeder (no origin to fall back on) every 2 s, during the flood
 * and for {@code after} seconds after it. Reports the seeder process's CPU time, its threads
 * (Java and native), and how the honest fetches fared.
 *
 * <pre>.ci/bench OfferFloodBench [ids=32] [rate=10] [seconds=60] [after=60]</pre>
 */
public final class OfferFloodBench {
    public static void main(String[] args) throws Exception {
        int ids = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int after = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        Path dir = Files.createTempDirectory("swarmkeeper-offerflood");
        try (SignalingServer server = new SignalingServer(ServerConfig.loopback(0)).start();
             DemoOrigin origin = DemoOrigin.start()) {
            ResourceId id = origin.add("flooded.bin", DemoOrigin.sampleBytes(61, 1_000_000));
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    "io.swarmkeeper.cli.Main", "seed", "--server", server.url(), "--store", dir.resolve("seeder").toString(),
                    "--manifest", origin.manifestUrl().toString()));
            Process seeder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (server.holderCount(id) == 0) {
                    if (System.nanoTime() > deadline || !seeder.isAlive()) {
                        throw new IllegalStateException("the seeder did not come up");
                    }
                    Thread.sleep(100);
                }
                long pid = seeder.pid();
                Thread.sleep(2_000);
                fetchOnce(server, id, dir); // warm up
                String holder = holderOf(server, id);
                long cpuBefore = cpuTicks(pid);
                int threadsBefore = count("/proc/" + pid + "/task");
                System.out.printf(Locale.ROOT, "seeder pid %d, %d threads; flood: %d ids x %d offers/s for %d s%n",
                        pid, threadsBefore, ids, rate, seconds);
                System.out.println("second  phase   seeder-cpu-s  threads  honest-ok  honest-failed  last-fetch-ms");
                AtomicInteger mostThreads = new AtomicInteger(threadsBefore);
                AtomicLong ok = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                AtomicLong lastMs = new AtomicLong();
                Thread sampler = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            mostThreads.accumulateAndGet(count("/proc/" + pid + "/task"), Math::max);
                            Thread.sleep(200);
                        } catch (Exception e) {
                            return;
                        }
                    }
                }, "thread-sampler");
                sampler.setDaemon(true);
                sampler.start();
                try (OfferFlood flood = OfferFlood.prepare(server.url(), id, holder, ids)) {
                    flood.start(rate);
                    long start = System.nanoTime();
                    boolean stopped = false;
                    long nextPrint = 0;
                    while (true) {
                        long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
                        if (!stopped && elapsed >= seconds) {
                            flood.stop();
                            stopped = true;
                            System.out.printf(Locale.ROOT, "flood over: %d offers sent, %d answers and %d refusals heard%n",
                                    flood.offersSent(), flood.heardFromHolder("answer").size(),
                                    flood.heardFromHolder("refused").size());
                        }
                        if (elapsed >= seconds + after) {
                            break;
                        }
                        long t = System.nanoTime(); // one honest fetch at a time, one every 2 s at most
                        if (fetchOnce(server, id, dir)) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                        lastMs.set((System.nanoTime() - t) / 1_000_000);
                        elapsed = (System.nanoTime() - start) / 1_000_000_000L;
                        if (elapsed >= nextPrint) {
                            System.out.printf(Locale.ROOT, "%6d  %-6s  %12.1f  %7d  %9d  %13d  %13d%n", elapsed,
                                    elapsed < seconds ? "flood" : "after", (cpuTicks(pid) - cpuBefore) / 100.0,
                                    count("/proc/" + pid + "/task"), ok.get(), failed.get(), lastMs.get());
                            nextPrint = elapsed / 5 * 5 + 5;
                        }
                        long rest = 2_000 - (System.nanoTime() - t) / 1_000_000;
                        if (rest > 0) {
                            Thread.sleep(rest);
                        }
                    }
                } finally {
                    sampler.interrupt();
                }
                System.out.printf(Locale.ROOT, "seeder: %.1f s of CPU over %d s, threads %d -> at most %d -> %d at the end;"
                                + " honest fetches: %d ok, %d failed%n", (cpuTicks(pid) - cpuBefore) / 100.0,
                        seconds + after, threadsBefore, mostThreads.get(), count("/proc/" + pid + "/task"), ok.get(), failed.get());
            } finally {
                seeder.destroy();
                seeder.waitFor();
            }
        }
        System.exit(0); // webrtc-java leaves a non-daemon thread behind
    }

    private static boolean fetchOnce(SignalingServer server, ResourceId id, Path dir) {
        try (Fetcher fetcher = new Fetcher(java.net.URI.create(server.url()), dir, Fetcher.Options.defaults(), new SwarmEvents())) {
            FetchResult result = fetcher.fetch(id, null);
            result.file().close();
            return result.source().startsWith("peer");
        } catch (Exception e) {
            return false;
        }
    }

    /** The holder's id, as the server matches it. */
    private static String holderOf(SignalingServer server, ResourceId id) throws Exception {
        try (io.swarmkeeper.testing.RawSignalingClient c = io.swarmkeeper.testing.RawSignalingClient.welcomed(server.url(), "peer")) {
            c.send("{\"type\":\"want\",\"hash\":\"" + id.text() + "\",\"count\":1}");
            return c.next("match").get("peers").get(0).get("id").asText();
        }
    }

    /** User plus system CPU time of a process, in clock ticks (100 a second on Linux). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
    }

    private static int count(String dir) throws Exception {
        try (Stream<Path> entries = Files.list(Path.of(dir))) {
            return (int) entries.count();
        }
    }
}
