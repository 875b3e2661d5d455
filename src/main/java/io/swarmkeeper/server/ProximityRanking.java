package io.swarmkeeper.server;

import io.swarmkeeper.geo.Asn;
import io.swarmkeeper.geo.GeoPoint;
import io.swarmkeeper.geo.PeerPlace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;

/**
 * Nearest holders first, from each peer's {@link PeerPlace} (docs/protocol.md, "Proximity
 * ranking", has the formula). Each holder is sorted by the key
 * <pre>(tier, distance band, other AS, −spare slots, random)</pre>
 * where the tier is 0 {@code asn} (same AS and within {@value #NEAR_KM} km), 1 {@code city}
 * (same city name and country, within {@value #SAME_CITY_KM} km), 2 {@code distance} (both
 * located), 3 {@code unknown} (either side has no point); the distance band is
 * ⌊log(1 + d / {@value #TIE_KM} km) / log {@value #TIE_RATIO}⌋, so that distances within about a quarter
 * of each other are near-equals, which the random part then shuffles: load spreads over them.
 */
public final class ProximityRanking implements HolderRanking {
    public static final String ASN = "asn";
    public static final String CITY = "city";
    public static final String DISTANCE = "distance";
    public static final String UNKNOWN = "unknown";
    private static final String[] REASONS = {ASN, CITY, DISTANCE, UNKNOWN};

    /** Same AS counts first only this near: a national ISP spans a country. */
    static final double NEAR_KM = 100;
    /** Same city name counts only this near (two points the databases put in one city). */
    static final double SAME_CITY_KM = 50;
    static final double TIE_KM = 25;
    static final double TIE_RATIO = 1.25;
    private static final double LOG_TIE_RATIO = Math.log(TIE_RATIO);
    /** Holders ranked at once; the key keeps their index in this many bits. */
    private static final int INDEX_BITS = 20;
    static final int MAX_HOLDERS = 1 << INDEX_BITS;
    /** Spare slots above this count as this many. */
    private static final int MAX_SPARE = 1023;

    private final ToIntFunction<PeerRecord> spareSlots;

    /** Spare capacity unknown for every holder (no peer reports it yet). */
    public ProximityRanking() {
        this(p -> -1);
    }

    /** {@code spareSlots}: a holder's free upload slots, or a negative number when unknown. */
    public ProximityRanking(ToIntFunction<PeerRecord> spareSlots) {
        this.spareSlots = spareSlots;
    }

    @Override
    public List<Ranked> rank(PeerRecord asker, List<PeerRecord> holders, int count) {
        int n = Math.min(holders.size(), MAX_HOLDERS);
        long[] keys = new long[n];
        int k = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        PeerPlace from = asker.place();
        for (int i = 0; i < n; i++) {
            PeerRecord holder = holders.get(i);
            if (holder.id().equals(asker.id())) {
                continue;
            }
            keys[k++] = key(from, holder.place(), spareSlots.applyAsInt(holder), random.nextInt(1 << 24)) << INDEX_BITS | i;
        }
        Arrays.sort(keys, 0, k);
        int m = Math.min(count, k);
        List<Ranked> ranked = new ArrayList<>(m);
        for (int j = 0; j < m; j++) {
            long key = keys[j];
            int tier = (int) (key >>> 61);
            int band = (int) (key >>> 55);   // tier and distance band together
            ranked.add(new Ranked(holders.get((int) (key & (MAX_HOLDERS - 1))), REASONS[tier], band));
        }
        return ranked;
    }

    /** The sort key without the index: tier (2 bits), distance band (6), other AS (1), spare slots inverted (10), random (24). */
    static long key(PeerPlace asker, PeerPlace holder, int spare, int random) {
        int tier;
        int band = 0;
        GeoPoint a = asker.point();
        GeoPoint h = holder.point();
        boolean sameAsn = sameAsn(asker.asn(), holder.asn());
        if (a == null || h == null) {
            tier = 3;
        } else {
            double km = a.distanceKm(h);
            band = distanceBand(km);
            if (sameAsn && km <= NEAR_KM) {
                tier = 0;
            } else if (asker.city() != null && asker.city().equals(holder.city()) && asker.country() != null
                    && asker.country().equals(holder.country()) && km <= SAME_CITY_KM) {
                tier = 1;
            } else {
                tier = 2;
            }
        }
        long spareInverted = spare < 0 ? MAX_SPARE : MAX_SPARE - Math.min(spare, MAX_SPARE);
        return (long) tier << 41 | (long) band << 35 | (sameAsn ? 0L : 1L) << 34 | spareInverted << 24 | random;
    }

    /** ⌊log(1 + km / TIE_KM) / log TIE_RATIO⌋: 0 under 6 km, 3 at 25 km, 10 at 250 km, 29 at 20,000 km (half the globe). */
    static int distanceBand(double km) {
        return Math.min(63, (int) Math.floor(Math.log1p(km / TIE_KM) / LOG_TIE_RATIO));
    }

    private static boolean sameAsn(Asn a, Asn b) {
        return a != null && b != null && a.number() == b.number();
    }
}
