package io.swarmkeeper.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Any live holders, in random order, so that load spreads over seeders until a real policy exists. */
public final class ShuffledRanking implements HolderRanking {
    @Override
    public List<PeerRecord> rank(PeerRecord asker, List<PeerRecord> holders, int count) {
        List<PeerRecord> ranked = new ArrayList<>(holders);
        ranked.removeIf(p -> p.id().equals(asker.id()));
        Collections.shuffle(ranked, ThreadLocalRandom.current());
        return ranked.subList(0, Math.min(count, ranked.size()));
    }
}
