package io.swarmkeeper.bench;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Fetcher;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.testing.Swarm;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds what a peer that comes and goes leaves behind after many short visits: threads, open
 * files and resident memory every 100 visits, then live objects and native connections.
 *
 * <pre>.ci/bench ChurnProbe [visits=30]</pre>
 */
public final class ChurnProbe {
    public static void main(String[] args) throws Exception {
        int visits = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        try (Swarm swarm = Swarm.start()) {
            byte[] body = DemoOrigin.sampleBytes(1, 300_000);
            ResourceId id = swarm.publish("x.bin", body);
            swarm.seeder("x.bin");
            print("before");
            for (int i = 0; i < visits; i++) {
                if (i > 0 && i % 100 == 0) {
                    print("after " + i + " visits");
                }
                try (Fetcher visitor = new Fetcher(swarm.serverUri(), null, Fetcher.Options.defaults(), new SwarmEvents())) {
                    FetchResult r = visitor.fetch(id, null);
                    r.file().close();
                }
            }
            Thread.sleep(3000);
            print("after " + visits + " visits");
            PeerLink.NativeConnections nativeConnections = PeerLink.nativeConnections();
            System.out.println("closed connections: " + nativeConnections.freed() + " freed natively, "
                    + nativeConnections.kept() + " kept in native memory");
            Process jcmd = new ProcessBuilder("jcmd", String.valueOf(ProcessHandle.current().pid()), "GC.class_histogram")
                    .redirectErrorStream(true).start();
            String histogram = new String(jcmd.getInputStream().readAllBytes());
            histogram.lines().filter(l -> l.contains("io.swarmkeeper.rtc.PeerLink ") || l.contains("node.Fetcher ")
                    || l.contains("RTCDataChannelBuffer") || l.contains("RTCPeerConnection ") || l.contains("Total"))
                    .forEach(l -> System.out.println("live after GC: " + l.trim()));
        }
        System.exit(0);
    }

    private static void print(String when) {
        Map<String, Integer> names = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"));
             var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            String rss = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
            System.out.println(when + ": " + tasks.count() + " threads in all, " + fds.count() + " open files, "
                    + rss + "; Java: " + names);
        } catch (java.io.IOException e) {
            System.out.println(when + ": " + names);
        }
    }
}
