package io.swarmkeeper.bench;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.gui.MainWindow;
import io.swarmkeeper.monitor.NodeMonitor;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The window under a large, busy swarm: {@code peers} linked peers and {@code rate} events a
 * second (transfers moving on, hash checks with one in fifty failing, round trips, a peer leaving
 * and another joining now and then) fed to the window's {@link NodeMonitor} from a thread of their
 * own, while the window samples it at 4 Hz and the tabs are switched in turn (the Swarm tab's
 * canvas drawn with every peer). Prints the time from start-up to the window's first frame, the
 * longest FX-thread pause (a probe posts to the FX thread every 5 ms and records how late each
 * runs), pause percentiles, and the CPU used by the process and by the FX thread.
 *
 * The load runs for a warm-up first (default 5 s, each tab shown in turn), as an always-on app
 * has run for a while before anyone looks: the pauses of the warm-up, while the JIT compiles the
 * window's code and the 1,000 peers that linked at once get their first rows, are printed apart
 * and not counted.
 *
 * Needs a display: {@code .ci/with-netns xvfb-run -a -s "-screen 0 1280x1024x24" java -cp … io.swarmkeeper.bench.WindowLoad}
 * (or the headless Monocle properties the tests use). Arguments: [peers, default 1000]
 * [events per second, default 10000] [seconds, default 30] [warm-up seconds, default 5].
 */
public final class WindowLoad {
    /** The tabs shown in turn; {@code -Dwindowload.tab=Swarm} keeps to one. */
    private static final long SWITCH_NANOS = 500_000_000L;
    private static final List<String> TABS = System.getProperty("windowload.tab") != null
            ? List.of(System.getProperty("windowload.tab"))
            : List.of("Overview", "Peers", "Transfers", "Hash checks", "Swarm");

    public static void main(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        long launched = System.nanoTime();

        SwarmEvents events = new SwarmEvents();
        NodeMonitor monitor = new NodeMonitor().attach(events);
        CountDownLatch shown = new CountDownLatch(1);
        AtomicLong firstFrameNanos = new AtomicLong();
        MainWindow[] window = new MainWindow[1];
        Platform.startup(() -> {
            Stage stage = new Stage();
            window[0] = new MainWindow(monitor, List.of());
            stage.setTitle("Swarmkeeper — window load");
            stage.setScene(new Scene(window[0].root(), 1000, 700));
            new AnimationTimer() {
                @Override
                public void handle(long now) {
                    // The first pulse after show(): the first frame is being rendered.
                    firstFrameNanos.compareAndSet(0, System.nanoTime());
                    shown.countDown();
                    stop();
                }
            }.start();
            stage.show();
            window[0].start();
        });
        if (!shown.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the window never showed a frame");
        }
        double firstFrameMs = (firstFrameNanos.get() - launched) / 1e6;

        // Peers linked before the measurement starts, as a seeder in a big swarm has them.
        List<String> ids = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < peers; i++) {
            String id = peerId(random);
            ids.add(id);
            events.publish(new SwarmEvent.PeerLinked(Instant.now(), "bench", id, i % 3 == 0,
                    i % 5 == 0 ? PeerRole.SEEDER : PeerRole.BROWSER, i % 2 == 0 ? "random" : null,
                    Duration.ofMillis(5 + random.nextInt(200))));
        }
        List<ResourceId> resources = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            resources.add(ResourceId.of(("resource " + i).getBytes(StandardCharsets.UTF_8)));
        }

        AtomicLong published = new AtomicLong();
        long warmStart = System.nanoTime();
        long warmEnd = warmStart + TimeUnit.SECONDS.toNanos(warmUp);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        Thread feeder = new Thread(() -> feed(events, ids, resources, rate, end, published), "feeder");
        feeder.start();
        List<long[]> warmSamples = Collections.synchronizedList(new ArrayList<>());
        Thread warmProbe = new Thread(() -> probe(warmSamples, warmEnd), "fx-probe-warm-up");
        warmProbe.start();
        showTabsInTurn(window[0], warmEnd, TimeUnit.SECONDS.toNanos(1), new ArrayList<>());
        warmProbe.join();
        long publishedInWarmUp = published.get();

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long fxThread = fxThreadId(threads);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        java.util.Map<Long, Long> threadCpu0 = new java.util.HashMap<>();
        for (long tid : threads.getAllThreadIds()) {
            threadCpu0.put(tid, threads.getThreadCpuTime(tid));
        }
        long cpu0 = os.getProcessCpuTime();
        long fxCpu0 = threads.getThreadCpuTime(fxThread);
        long wall0 = System.nanoTime();

        List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
        Thread probe = new Thread(() -> probe(samples, end), "fx-probe");
        probe.start();
        List<Long> switches = new ArrayList<>();
        showTabsInTurn(window[0], end, TimeUnit.SECONDS.toNanos(Math.max(1, seconds / (2L * TABS.size()))), switches);
        feeder.join();
        probe.join();
        long wall = System.nanoTime() - wall0;
        double cpuPercent = 100.0 * (os.getProcessCpuTime() - cpu0) / wall;
        double fxPercent = 100.0 * (threads.getThreadCpuTime(fxThread) - fxCpu0) / wall;

        // A sample posted within half a second of a tab switch measures the switch (the user's
        // click: a new table laid out and the whole window painted), not the load: kept apart.
        List<Long> sorted = new ArrayList<>();
        List<Long> afterSwitch = new ArrayList<>();
        StringBuilder over = new StringBuilder();
        synchronized (samples) {
            for (long[] sample : samples) {
                boolean switching = switches.stream().anyMatch(t -> sample[0] >= t && sample[0] - t < SWITCH_NANOS);
                (switching ? afterSwitch : sorted).add(sample[1]);
                if (sample[1] > 50_000_000L) {
                    over.append(String.format(Locale.ROOT, " %.1fs:%.0fms%s", (sample[0] - wall0) / 1e9, sample[1] / 1e6,
                            switching ? "(switch)" : ""));
                }
            }
        }
        Collections.sort(sorted);
        Collections.sort(afterSwitch);
        int shownPeers = monitor.snapshot().peers().size();
        System.out.printf(Locale.ROOT, "window load: %d peers linked (%d in the last snapshot), %.0f events/s for %d s after a warm-up of %d s%n",
                peers, shownPeers, (published.get() - publishedInWarmUp) / (wall / 1e9), seconds, warmUp);
        System.out.printf(Locale.ROOT, "first frame: %.0f ms after start-up (JavaFX started, window built and shown)%n", firstFrameMs);
        System.out.printf(Locale.ROOT, "FX thread pauses under the load (a probe every 5 ms, %d samples, none within 0.5 s of a tab switch): p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, longest %.1f ms%n",
                sorted.size(), at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e6);
        System.out.printf(Locale.ROOT, "tab switches (%d, each tab in turn): longest pause within 0.5 s of a switch %.1f ms, p99 %.1f ms%n",
                switches.size(), afterSwitch.isEmpty() ? 0 : afterSwitch.get(afterSwitch.size() - 1) / 1e6, at(afterSwitch, 0.99));
        List<Long> warmSorted = new ArrayList<>();
        synchronized (warmSamples) {
            warmSamples.forEach(sample -> warmSorted.add(sample[1]));
        }
        Collections.sort(warmSorted);
        System.out.printf(Locale.ROOT, "warm-up (not counted above): p99 %.1f ms, longest %.1f ms%n",
                at(warmSorted, 0.99), warmSorted.isEmpty() ? 0 : warmSorted.get(warmSorted.size() - 1) / 1e6);
        System.out.printf(Locale.ROOT, "CPU: process %.0f %% of one core, FX thread %.0f %%%n", cpuPercent, fxPercent);
        StringBuilder busiest = new StringBuilder();
        threadCpu0.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), threads.getThreadCpuTime(e.getKey()) - e.getValue()))
                .filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<Long, Long>comparingByValue().reversed())
                .limit(4)
                .forEach(e -> {
                    ThreadInfo info = threads.getThreadInfo(e.getKey());
                    busiest.append(String.format(Locale.ROOT, "  %s %.0f %%", info == null ? "?" : info.getThreadName(), 100.0 * e.getValue() / wall));
                });
        System.out.println("busiest threads:" + busiest);
        System.out.println("pauses over 50 ms (when: how long):" + (over.length() == 0 ? " none" : over));
        Platform.runLater(() -> window[0].stop());
        Platform.exit();
        System.exit(0);
    }

    /** Brings the tabs forward in turn, one every {@code every} nanoseconds, until {@code end}; notes when in {@code switches}. */
    private static void showTabsInTurn(MainWindow window, long end, long every, List<Long> switches) {
        int tab = 0;
        while (System.nanoTime() < end) {
            String title = TABS.get(tab++ % TABS.size());
            if (TABS.size() > 1) {
                switches.add(System.nanoTime());
            }
            Platform.runLater(() -> window.select(title));
            LockSupport.parkNanos(Math.min(every, Math.max(0, end - System.nanoTime())));
        }
    }

    /** Publishes {@code rate} events a second until {@code end}, in 1 ms batches. */
    private static void feed(SwarmEvents events, List<String> ids, List<ResourceId> resources, int rate, long end,
                             AtomicLong published) {
        SplittableRandom random = new SplittableRandom(11);
        long start = System.nanoTime();
        long[] done = new long[ids.size()];
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            long due = (long) ((now - start) / 1e9 * rate);
            while (published.get() < due) {
                int p = random.nextInt(ids.size());
                String peer = ids.get(p);
                ResourceId id = resources.get(p % resources.size());
                int kind = random.nextInt(100);
                Instant at = Instant.now();
                SwarmEvent event;
                if (kind < 80) {
                    long total = 4L << 20;
                    done[p] = Math.min(total, done[p] + 65_536);
                    boolean finished = done[p] == total;
                    event = new SwarmEvent.Transfer(at, "bench", peer, id, p % 2 == 0 ? Direction.UPLOAD : Direction.DOWNLOAD,
                            done[p], total, finished, null);
                    if (finished) {
                        done[p] = 0;
                    }
                } else if (kind < 92) {
                    boolean passed = random.nextInt(50) != 0;
                    event = new SwarmEvent.HashCheck(at, "bench", id, "peer:" + peer, passed,
                            passed ? null : "got " + ResourceId.of(new byte[] {(byte) kind}).text());
                } else if (kind < 99) {
                    event = new SwarmEvent.RoundTrip(at, "bench", peer, Duration.ofMillis(5 + random.nextInt(200)));
                } else {
                    // One leaves, another takes its place.
                    events.publish(new SwarmEvent.PeerUnlinked(at, "bench", peer, p % 3 == 0, "idle"));
                    String newcomer = peerId(random);
                    ids.set(p, newcomer);
                    event = new SwarmEvent.PeerLinked(at, "bench", newcomer, p % 3 == 0, PeerRole.BROWSER, "random",
                            Duration.ofMillis(20));
                }
                events.publish(event);
                published.incrementAndGet();
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Posts to the FX thread every 5 ms until {@code end}; records when each was posted and how late it ran. */
    private static void probe(List<long[]> samples, long end) {
        while (System.nanoTime() < end) {
            long posted = System.nanoTime();
            CountDownLatch ran = new CountDownLatch(1);
            Platform.runLater(() -> {
                samples.add(new long[] {posted, System.nanoTime() - posted});
                ran.countDown();
            });
            try {
                ran.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static long fxThreadId(ThreadMXBean threads) {
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().equals("JavaFX Application Thread")) {
                return info.getThreadId();
            }
        }
        throw new IllegalStateException("no JavaFX Application Thread");
    }

    private static double at(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(quantile * sorted.size()))) / 1e6;
    }

    private static String peerId(SplittableRandom random) {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(id);
    }
}
