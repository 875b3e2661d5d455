package io.swarmkeeper.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Any live holders, in random order, so that load spreads over seeders until a real policy exists. */
public final class ShuffledRanking implements HolderRanking {
    /** The reason every holder gets: nothing set it apart from the others. */
    public static final String REASON = "random";

    @Override
    public List<Ranked> rank(PeerRecord asker, List<PeerRecord> holders, int count) {
        List<PeerRecord> shuffled = new ArrayList<>(holders);
        shuffled.removeIf(p -> p.id().equals(asker.id()));
        Collections.shuffle(shuffled, ThreadLocalRandom.current());
        List<Ranked> ranked = new ArrayList<>(Math.min(count, shuffled.size()));
        for (PeerRecord holder : shuffled.subList(0, Math.min(count, shuffled.size()))) {
            ranked.add(new Ranked(holder, REASON));
        }
        return ranked;
    }
}
