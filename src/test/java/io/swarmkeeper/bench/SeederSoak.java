package io.swarmkeeper.bench;

import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.node.SwarmEvents;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A seeder — the real `swarmkeeper seed` command in its own JVM, as users run it — under an
 * hour of churn: the embedded demo swarm (its four visiting peers that come and go, a dishonest
 * peer that joins and leaves, the demo's own seeder) runs in this JVM, and the measured seeder
 * joins it with the same manifest and accepts demand from its origin. Every minute, for the
 * seeder process only: live heap after a full GC (jcmd GC.class_histogram), resident memory,
 * threads (Java and native), open files, and uploads completed so far.
 *
 * <pre>.ci/bench SeederSoak [minutes=60]</pre>
 */
public final class SeederSoak {
    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Path dir = Files.createTempDirectory("swarmkeeper-seedersoak");
        try (DemoSwarm swarm = DemoSwarm.start(new SwarmEvents(), dir.resolve("demo"))) {
            String origin = swarm.origin().base();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:TrimNativeHeapInterval=60000",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-cp", System.getProperty("java.class.path"),
                    "io.swarmkeeper.cli.Main", "seed", "--server", swarm.serverUrl(), "--store", dir.resolve("seeder").toString(),
                    "--manifest", swarm.origin().manifestUrl().toString(), "--demand-origin", origin + "/"));
            Process seeder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            AtomicLong uploads = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            Thread logReader = new Thread(() -> {
                try (BufferedReader log = new BufferedReader(new InputStreamReader(seeder.getErrorStream()))) {
                    String line;
                    while ((line = log.readLine()) != null) {
                        if (line.contains("upload done")) {
                            uploads.incrementAndGet();
                        } else if (line.contains("upload") && line.contains("failed")) {
                            failed.incrementAndGet();
                        }
                    }
                } catch (Exception ignored) {
                    // the seeder ended
                }
            }, "seeder-log");
            logReader.setDaemon(true);
            logReader.start();
            long pid = seeder.pid();
            System.out.println("seeder pid " + pid + "; one line a minute");
            System.out.println("minute  live-heap-MB  rss-MB  threads  fds  uploads  failed-uploads");
            Map<String, long[]> firstHistogram = null;
            Map<String, long[]> lastHistogram = null;
            for (int minute = 0; minute <= minutes; minute++) {
                Thread.sleep(minute == 0 ? 20_000 : 60_000);
                if (!seeder.isAlive()) {
                    System.out.println("the seeder exited with " + seeder.exitValue());
                    break;
                }
                lastHistogram = LiveObjects.histogram(pid);
                if (minute == 1) {
                    firstHistogram = lastHistogram;
                }
                long[] total = lastHistogram.getOrDefault("Total", new long[] {0, -1});
                System.out.printf(Locale.ROOT, "%6d  %12.1f  %6.1f  %7d  %3d  %7d  %14d%n", minute, total[1] / 1e6,
                        status(pid, "VmRSS:") / 1e3, count("/proc/" + pid + "/task"), count("/proc/" + pid + "/fd"),
                        uploads.get(), failed.get());
            }
            if (firstHistogram != null && lastHistogram != null) {
                printGrowth(firstHistogram, lastHistogram);
            }
            seeder.destroy();
            seeder.waitFor();
        }
        System.exit(0);
    }

    /** The classes whose live bytes grew most between minute 1 and the end: what the Java side keeps. */
    private static void printGrowth(Map<String, long[]> first, Map<String, long[]> last) {
        System.out.println("live objects grown most since minute 1 (class: instances, bytes):");
        last.entrySet().stream()
                .filter(e -> !e.getKey().equals("Total"))
                .map(e -> Map.entry(e.getKey(), new long[] {
                        e.getValue()[0] - first.getOrDefault(e.getKey(), new long[2])[0],
                        e.getValue()[1] - first.getOrDefault(e.getKey(), new long[2])[1]}))
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .limit(12)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %s: %+d, %+d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
    }

    private static long status(long pid, String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long count(String dir) throws Exception {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.count();
        }
    }
}
