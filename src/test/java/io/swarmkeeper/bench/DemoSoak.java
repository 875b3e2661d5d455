package io.swarmkeeper.bench;

import io.swarmkeeper.demo.DemoSwarm;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The seeder under an hour of churn: the embedded demo swarm (seeder, four visiting peers that
 * come and go, a dishonest peer that joins and leaves) run headless for the given minutes.
 * Every minute, after two full GCs: heap in use, the process's resident memory, threads
 * (Java and native) and open files, and how many transfers and failed hash checks the seeder
 * and visitors saw. Memory that grows with time would show as a rising heap after GC.
 *
 * <pre>.ci/bench DemoSoak [minutes=60]</pre>
 */
public final class DemoSoak {
    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Path dir = Files.createTempDirectory("swarmkeeper-soak");
        SwarmEvents events = new SwarmEvents();
        AtomicLong uploads = new AtomicLong();
        AtomicLong failedChecks = new AtomicLong();
        AtomicLong distrusts = new AtomicLong();
        events.subscribe(e -> {
            if (e instanceof SwarmEvent.Transfer t && t.finished() && t.failure() == null) {
                uploads.incrementAndGet();
            } else if (e instanceof SwarmEvent.HashCheck h && !h.passed()) {
                failedChecks.incrementAndGet();
            } else if (e instanceof SwarmEvent.PeerDistrusted) {
                distrusts.incrementAndGet();
            }
        });
        System.out.println("minute  heap-after-gc-MB  rss-MB  threads  fds  uploads  failed-checks  distrusts");
        try (DemoSwarm swarm = DemoSwarm.start(events, dir.resolve("store"))) {
            for (int minute = 0; minute <= minutes; minute++) {
                if (minute > 0) {
                    Thread.sleep(60_000);
                }
                System.gc();
                System.gc();
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                System.out.printf(Locale.ROOT, "%6d  %16.1f  %6.1f  %7d  %3d  %7d  %13d  %9d%n", minute, heap / 1e6,
                        rssKb() / 1e3, count("/proc/self/task"), count("/proc/self/fd"), uploads.get(), failedChecks.get(),
                        distrusts.get());
            }
        }
        System.exit(0);
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
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
