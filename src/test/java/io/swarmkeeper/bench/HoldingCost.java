package io.swarmkeeper.bench;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.server.InMemoryPeerDirectory;
import io.swarmkeeper.server.PeerRecord;
import io.swarmkeeper.protocol.PeerRole;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one announced holding costs the signaling server's heap: fills a directory with
 * distinct random SHA-224 ids (what a flood of {@code have} announces), and with ids shared by
 * several holders (what honest swarms announce), and prints the live heap per holding.
 *
 *   .ci/bench HoldingCost [holdings, default 1000000]
 */
public final class HoldingCost {
    public static void main(String[] args) {
        int holdings = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        System.out.printf("distinct ids, 10 peers: %.0f bytes per holding%n", measure(holdings, 10, 1));
        System.out.printf("each id held by 4 peers: %.0f bytes per holding%n", measure(holdings, 40, 4));
    }

    /** Heap per holding when {@code peers} peers announce {@code holdings} in all, each id by {@code sharing} of them. */
    private static double measure(int holdings, int peers, int sharing) {
        long before = liveHeap();
        InMemoryPeerDirectory directory = new InMemoryPeerDirectory();
        for (int p = 0; p < peers; p++) {
            directory.add(new PeerRecord(String.format("peer%06d", p), PeerRole.PEER));
        }
        HexFormat hex = HexFormat.of();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int distinct = holdings / sharing;
        int perPeerGroup = distinct / (peers / sharing);
        for (int group = 0; group < peers / sharing; group++) {
            List<ResourceId> batch = new ArrayList<>(1000);
            for (int i = 0; i < perPeerGroup; i++) {
                byte[] digest = new byte[28];
                random.nextBytes(digest);
                batch.add(ResourceId.parse(hex.formatHex(digest)));
                if (batch.size() == 1000 || i == perPeerGroup - 1) {
                    for (int s = 0; s < sharing; s++) {
                        // Every peer parses its own copy, as the server does per message.
                        List<ResourceId> copy = new ArrayList<>(batch.size());
                        for (ResourceId id : batch) {
                            copy.add(ResourceId.parse(id.text()));
                        }
                        directory.addHoldings(String.format("peer%06d", group * sharing + s), copy);
                    }
                    batch.clear();
                }
            }
        }
        long after = liveHeap();
        double perHolding = (after - before) / (double) directory.totalHoldings();
        if (directory.size() != peers) {
            throw new AssertionError("directory lost peers");
        }
        return perHolding;
    }

    private static long liveHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
