package io.swarmkeeper.server;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Who an asker is offered, from the ranking policy's order: {@code have} needs no proof, so a
 * network announcing a resource from many ids must not crowd out everyone else, and holders that
 * verified askers confirmed ({@code served}) should not lose their place to unknown ones.
 * <ol>
 *   <li>one holder per network first (IPv4 address, IPv6 /64): the first the policy ranked;</li>
 *   <li>among those, band by band in the policy's order ({@link HolderRanking.Ranked#band()}:
 *       near-equals for the proximity ranking, everyone for the random one), holders with a
 *       served record and holders without take turns, record first, each in the policy's order
 *       (so new peers still get their turn to build a record); a record never lifts a holder
 *       over a nearer band;</li>
 *   <li>then, if the asker wants more, further holders of networks already chosen, in the
 *       policy's order.</li>
 * </ol>
 */
final class HolderChoice {
    private HolderChoice() {}

    static List<HolderRanking.Ranked> choose(List<HolderRanking.Ranked> policyOrder, int count,
                                             Function<PeerRecord, InetAddress> networkOf,
                                             ToIntFunction<PeerRecord> servedRecord) {
        List<HolderRanking.Ranked> chosen = new ArrayList<>(Math.min(count, policyOrder.size()));
        List<HolderRanking.Ranked> withRecord = new ArrayList<>();
        List<HolderRanking.Ranked> without = new ArrayList<>();
        List<HolderRanking.Ranked> sameNetwork = new ArrayList<>();
        Set<InetAddress> networks = new HashSet<>();
        for (int i = 0; i < policyOrder.size() && chosen.size() < count; i++) {
            HolderRanking.Ranked holder = policyOrder.get(i);
            if (!networks.add(networkOf.apply(holder.peer()))) {
                sameNetwork.add(holder);
            } else if (servedRecord.applyAsInt(holder.peer()) > 0) {
                withRecord.add(holder);
            } else {
                without.add(holder);
            }
            boolean bandEnds = i + 1 == policyOrder.size() || policyOrder.get(i + 1).band() != holder.band();
            if (bandEnds) {
                takeTurns(withRecord, without, chosen, count);
            }
        }
        for (int i = 0; chosen.size() < count && i < sameNetwork.size(); i++) {
            chosen.add(sameNetwork.get(i));
        }
        return chosen;
    }

    /** Record holders and newcomers of one band, in turn, record first; empties both lists. */
    private static void takeTurns(List<HolderRanking.Ranked> withRecord, List<HolderRanking.Ranked> without,
                                  List<HolderRanking.Ranked> chosen, int count) {
        int a = 0;
        int b = 0;
        while (chosen.size() < count && (a < withRecord.size() || b < without.size())) {
            if (a < withRecord.size()) {
                chosen.add(withRecord.get(a++));
            }
            if (chosen.size() < count && b < without.size()) {
                chosen.add(without.get(b++));
            }
        }
        withRecord.clear();
        without.clear();
    }
}
