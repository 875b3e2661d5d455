package io.swarmkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.AssemblyFile;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import io.swarmkeeper.transfer.ContentSource;
import io.swarmkeeper.transfer.RangeSink;
import io.swarmkeeper.transfer.TransferClient;
import io.swarmkeeper.transfer.TransferObserver;
import io.swarmkeeper.transfer.TransferServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Seeder → leecher throughput over real webrtc-java links in one JVM, over one link and over
 * four in parallel, in three modes measured in the same run (links wired to each other directly,
 * no signaling server, so only the data path is measured):
 * <ul>
 *   <li>bare: 64 KiB messages through {@code PeerLink.send} (webrtc-java plus the flow control
 *       any sender needs, since webrtc-java closes a channel silently near 16 MiB buffered), no
 *       protocol, bytes counted and dropped: the limit of the library here;</li>
 *   <li>transfer: the transfer protocol as the fetcher uses it (512 KiB range requests, two in
 *       flight per link), bytes written at their offsets into the staging file, not hashed;</li>
 *   <li>verified: the same, then the whole staging file hashed against the SHA-224 id.</li>
 * </ul>
 * The same total bytes each round, split evenly over the links.
 *
 * <pre>.ci/bench LinkThroughput [MiB=64] [rounds=5]</pre>
 */
public final class LinkThroughput {
    private static final int MESSAGE = 64 * 1024;
    private static final long RANGE = 512 * 1024;

    enum Mode { BARE, TRANSFER, VERIFIED }

    /** A connected pair: {@code seeder} side offered, {@code leecher} side answered. */
    private static final class Pair {
        PeerLink seeder;
        PeerLink leecher;
        volatile Consumer<byte[]> atSeeder = m -> {};
        volatile Consumer<byte[]> atLeecher = m -> {};
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] body = DemoOrigin.sampleBytes(7, mib * 1024 * 1024);
        ResourceId id = ResourceId.of(body);
        Path staging = Files.createTempDirectory("swarmkeeper-linkbench");
        ExecutorService uploads = Executors.newFixedThreadPool(8);
        System.out.printf(Locale.ROOT, "%d MiB per round, %d rounds; MB/s (10^6 bytes)%n", mib, rounds);
        for (int links : new int[] {1, 4}) {
            List<Pair> pairs = connect(links);
            for (Mode mode : Mode.values()) {
                double[] rates = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long start = System.nanoTime();
                    run(mode, pairs, body, id, staging, uploads);
                    rates[r] = body.length / ((System.nanoTime() - start) / 1e9) / 1e6;
                }
                double[] sorted = rates.clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "%d link%s %-8s median %6.1f   rounds %s%n", links, links == 1 ? " " : "s",
                        mode.name().toLowerCase(Locale.ROOT), sorted[rounds / 2], format(rates));
            }
            for (Pair p : pairs) {
                p.seeder.close();
                p.leecher.close();
            }
        }
        uploads.shutdownNow();
        System.exit(0);
    }

    private static String format(double[] rates) {
        StringBuilder b = new StringBuilder();
        for (double r : rates) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", r));
        }
        return b.toString();
    }

    private static List<Pair> connect(int count) throws Exception {
        LinkConfig config = LinkConfig.withIceServers(List.of());
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pair pair = new Pair();
            AtomicReference<PeerLink> seederRef = new AtomicReference<>();
            AtomicReference<PeerLink> leecherRef = new AtomicReference<>();
            pair.leecher = PeerLink.answer(RtcRuntime.shared(), config, "seeder" + i, new PeerLink.Listener() {
                @Override
                public void onSignal(PeerLink link, ObjectNode signal) {
                    seederRef.get().acceptSignal(signal);
                }

                @Override
                public void onMessage(PeerLink link, byte[] message) {
                    pair.atLeecher.accept(message);
                }
            });
            leecherRef.set(pair.leecher);
            pair.seeder = PeerLink.offer(RtcRuntime.shared(), config, "leecher" + i, new PeerLink.Listener() {
                @Override
                public void onSignal(PeerLink link, ObjectNode signal) {
                    leecherRef.get().acceptSignal(signal);
                }

                @Override
                public void onMessage(PeerLink link, byte[] message) {
                    pair.atSeeder.accept(message);
                }
            });
            seederRef.set(pair.seeder);
            pair.seeder.opened().get(20, TimeUnit.SECONDS);
            pair.leecher.opened().get(20, TimeUnit.SECONDS);
            pairs.add(pair);
        }
        return pairs;
    }

    private static void run(Mode mode, List<Pair> pairs, byte[] body, ResourceId id, Path staging,
                            ExecutorService uploads) throws Exception {
        long share = body.length / pairs.size();
        if (mode == Mode.BARE) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                Pair p = pairs.get(i);
                long from = i * share;
                long to = i == pairs.size() - 1 ? body.length : from + share;
                CompletableFuture<Void> received = new CompletableFuture<>();
                AtomicLong count = new AtomicLong();
                p.atLeecher = m -> {
                    if (count.addAndGet(m.length) == to - from) {
                        received.complete(null);
                    }
                };
                uploads.execute(() -> {
                    try {
                        for (long at = from; at < to; at += MESSAGE) {
                            p.seeder.send(Arrays.copyOfRange(body, (int) at, (int) Math.min(to, at + MESSAGE)));
                        }
                    } catch (Exception e) {
                        received.completeExceptionally(e);
                    }
                });
                done.add(received);
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            return;
        }
        ContentSource source = resource -> Optional.of(new ContentSource.Content() {
            @Override
            public long size() {
                return body.length;
            }

            @Override
            public InputStream stream() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public void close() {
            }
        });
        try (AssemblyFile file = AssemblyFile.create(id, body.length, staging)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                Pair p = pairs.get(i);
                TransferServer server = new TransferServer("leecher", source, p.seeder::send, uploads, TransferObserver.NONE);
                TransferClient client = new TransferClient("seeder", p.leecher::send, TransferObserver.NONE);
                p.atSeeder = m -> {
                    try {
                        server.onMessage(m);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                p.atLeecher = m -> {
                    try {
                        client.onMessage(m);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                long from = i * share;
                long to = i == pairs.size() - 1 ? body.length : from + share;
                done.add(fetchShare(client, id, file, from, to));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            if (mode == Mode.VERIFIED) {
                VerifiedFile verified = file.verify("bench");
                verified.close();
            }
        }
    }

    /** Ranges of 512 KiB, two in flight, as the fetcher asks a holder. */
    private static CompletableFuture<Void> fetchShare(TransferClient client, ResourceId id, AssemblyFile file, long from, long to) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicLong next = new AtomicLong(from);
        AtomicLong remaining = new AtomicLong(to - from);
        RangeSink sink = new RangeSink() {
            @Override
            public void size(long totalSize) {
            }

            @Override
            public void write(long offset, byte[] data, int from, int length) throws java.io.IOException {
                file.write(offset, data, from, length);
            }
        };
        Runnable[] ask = new Runnable[1];
        ask[0] = () -> {
            long at = next.getAndAdd(RANGE);
            if (at >= to) {
                return;
            }
            long length = Math.min(RANGE, to - at);
            client.fetchRange(id, at, length, sink).whenComplete((n, e) -> {
                if (e != null) {
                    all.completeExceptionally(e);
                } else if (remaining.addAndGet(-n) == 0) {
                    all.complete(null);
                } else {
                    ask[0].run();
                }
            });
        };
        ask[0].run();
        ask[0].run();
        return all;
    }
}
