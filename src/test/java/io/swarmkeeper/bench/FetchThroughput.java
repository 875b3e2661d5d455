package io.swarmkeeper.bench;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.testing.LeecherPeer;
import io.swarmkeeper.testing.Swarm;
import java.util.Arrays;
import java.util.Locale;

/**
 * Load generator, run by hand (.ci/bench FetchThroughput [MiB] [rounds]): one seeder, one
 * leecher, one resource fetched whole over a real WebRTC link again and again, verification
 * included. Prints MB/s per round and the median. Not a test: it asserts nothing and takes time.
 */
public final class FetchThroughput {
    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] body = DemoOrigin.sampleBytes(42, mib * 1024 * 1024);
        double[] rates = new double[rounds];
        try (Swarm swarm = Swarm.start()) {
            ResourceId id = swarm.publish("bench.bin", body);
            swarm.seeder("bench.bin");
            swarm.origin().close();
            for (int i = 0; i < rounds; i++) {
                try (LeecherPeer leecher = swarm.leecher()) {
                    long start = System.nanoTime();
                    FetchResult result = leecher.fetch(id);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    rates[i] = result.bytes() / seconds / 1e6;
                    System.out.printf(Locale.ROOT, "round %d: %d bytes in %.2f s = %.1f MB/s (%s)%n",
                            i + 1, result.bytes(), seconds, rates[i], result.source());
                }
            }
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "median %.1f MB/s over %d rounds of %d MiB (connect, transfer, SHA-224, H2 store)%n",
                sorted[rounds / 2], rounds, mib);
        System.exit(0);
    }
}
