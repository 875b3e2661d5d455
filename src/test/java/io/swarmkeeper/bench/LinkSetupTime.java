package io.swarmkeeper.bench;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Swarm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * From {@code want} to an open data channel, inside one process (no JVM start, WebRTC already
 * up): a signaling server, one seeder and, each round, a new leecher that fetches a small resource
 * over a new link. Prints the median time of each setup step since the want ({@link
 * SwarmEvent.LinkSetup}), with ICE candidates trickled (the default) or sent whole in the offer
 * and answer (simple-peer's {@code trickle: false}), each in its own run of the JVM.
 *
 * <pre>.ci/bench LinkSetupTime [rounds=30] [trickle|whole]</pre>
 */
public final class LinkSetupTime {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        boolean trickle = args.length < 2 || !args[1].equals("whole");
        System.setProperty("swarmkeeper.webrtc.trickle", String.valueOf(trickle));
        Map<String, List<Double>> steps = new LinkedHashMap<>();
        try (Swarm swarm = Swarm.start()) {
            ResourceId id = swarm.publish("small.bin", DemoOrigin.sampleBytes(3, 10_000));
            swarm.seeder("small.bin");
            for (int r = -3; r < rounds; r++) { // three rounds to warm up, not counted
                LeecherPeer leecher = swarm.leecher();
                leecher.fetch(id);
                SwarmEvent.LinkSetup setup = leecher.events().stream()
                        .filter(e -> e instanceof SwarmEvent.LinkSetup).map(e -> (SwarmEvent.LinkSetup) e)
                        .findFirst().orElseThrow(() -> new IllegalStateException("no link setup reported"));
                leecher.close();
                if (r < 0) {
                    continue;
                }
                for (SwarmEvent.LinkSetup.Step s : setup.steps()) {
                    steps.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(ms(s.after()));
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d rounds, candidates %s; ms since the want: median (min-max)%n", rounds,
                trickle ? "trickled" : "whole in the description");
        steps.forEach((name, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "  %-20s %7.1f  (%.1f-%.1f)%n", name, sorted.get(sorted.size() / 2),
                    sorted.get(0), sorted.get(sorted.size() - 1));
        });
        System.exit(0);
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
