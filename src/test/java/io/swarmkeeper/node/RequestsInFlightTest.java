package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import io.swarmkeeper.transfer.RateLimiter;
import io.swarmkeeper.transfer.TransferClient;
import io.swarmkeeper.transfer.TransferMessage;
import io.swarmkeeper.transfer.TransferObserver;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many requests a requester keeps out per holder, as docs/protocol.md says: one request in
 * all until the first RESPONSE gives the size, then up to two per holder, a new one as soon as one
 * ends. The holders here answer only when the test says so, so every count is exact.
 */
class RequestsInFlightTest {
    private static final int RANGE = (int) SwarmDownload.RANGE_BYTES;

    @TempDir
    Path staging;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** A holder that records requests and answers one only when told to. */
    private static final class GatedHolder {
        final String name;
        final byte[] body;
        final Map<Integer, TransferMessage.Request> open = new LinkedHashMap<>();
        final List<TransferMessage.Request> all = new ArrayList<>();
        TransferClient client;

        GatedHolder(String name, byte[] body) {
            this.name = name;
            this.body = body;
            this.client = new TransferClient(name, bytes -> {
                TransferMessage m = decode(bytes);
                if (m instanceof TransferMessage.Request r) {
                    synchronized (this) {
                        open.put(r.requestId(), r);
                        all.add(r);
                    }
                }
            }, TransferObserver.NONE);
        }

        synchronized int inFlight() {
            return open.size();
        }

        synchronized TransferMessage.Request oldest() {
            return open.values().iterator().next();
        }

        void respond(TransferMessage.Request r) throws Exception {
            long length = Math.min(r.length(), body.length - r.offset());
            client.onMessage(TransferMessage.encode(new TransferMessage.Response(r.requestId(), body.length, r.offset(), length)));
        }

        /** Sends the rest of the range and its END. */
        void finish(TransferMessage.Request r, boolean responded) throws Exception {
            if (!responded) {
                respond(r);
            }
            long end = Math.min(r.offset() + r.length(), body.length);
            for (long at = r.offset(); at < end; at += TransferMessage.MAX_CHUNK_BYTES) {
                int n = (int) Math.min(TransferMessage.MAX_CHUNK_BYTES, end - at);
                client.onMessage(TransferMessage.encode(new TransferMessage.Chunk(r.requestId(), at,
                        java.util.Arrays.copyOfRange(body, (int) at, (int) at + n))));
            }
            synchronized (this) {
                open.remove(r.requestId());
            }
            client.onMessage(TransferMessage.encode(new TransferMessage.End(r.requestId())));
        }

        private static TransferMessage decode(byte[] bytes) {
            try {
                return TransferMessage.decode(bytes);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Waits until what the download handed to the timer (its pump after the size) has run. */
    private void settle() throws Exception {
        timer.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }

    @Test
    void oneRequestUntilTheSizeIsKnownThenTwoPerHolder() throws Exception {
        byte[] body = new byte[9 * RANGE + 1000];
        new Random(5).nextBytes(body);
        ResourceId id = ResourceId.of(body);
        List<GatedHolder> holders = List.of(new GatedHolder("a", body), new GatedHolder("b", body), new GatedHolder("c", body));
        try (SwarmDownload download = new SwarmDownload(id, staging, 1L << 30, (peer, why, fault) -> {
            throw new AssertionError(peer + " dropped: " + why);
        }, RateLimiter.unlimited(), timer)) {
            holders.forEach(h -> download.addSource(h.name, h.client));
            settle();
            assertEquals(List.of(1, 0, 0), inFlight(holders), "one request in all before the size is known");
            TransferMessage.Request first = holders.get(0).oldest();
            assertEquals(0, first.offset());
            assertEquals(RANGE, first.length());

            holders.get(0).respond(first); // the size is known: every holder takes up to two
            settle();
            assertEquals(List.of(2, 2, 2), inFlight(holders));

            // Each time a request ends, its holder gets the next range at once: still two.
            int ended = 0;
            while (true) {
                GatedHolder busiest = holders.stream().filter(h -> h.inFlight() > 0)
                        .max(java.util.Comparator.comparingInt(GatedHolder::inFlight)).orElse(null);
                if (busiest == null) {
                    break;
                }
                TransferMessage.Request r = busiest.oldest();
                busiest.finish(r, r == first);
                ended++;
                settle();
                for (GatedHolder h : holders) {
                    assertTrue(h.inFlight() <= 2, h.name + " has " + h.inFlight() + " out");
                }
                int total = holders.stream().mapToInt(GatedHolder::inFlight).sum();
                int left = 10 - ended; // 10 ranges in all
                assertEquals(Math.min(left, 6), total, "two per holder while ranges remain, after " + ended + " ended");
            }
            download.complete().get(5, TimeUnit.SECONDS);
            try (VerifiedFile file = download.verify(); InputStream in = file.open()) {
                assertArrayEquals(body, in.readAllBytes());
            }
            assertEquals(10, holders.stream().mapToInt(h -> h.all.size()).sum(), "each range asked for once");
        }
    }

    private static List<Integer> inFlight(List<GatedHolder> holders) {
        return holders.stream().map(GatedHolder::inFlight).toList();
    }
}
