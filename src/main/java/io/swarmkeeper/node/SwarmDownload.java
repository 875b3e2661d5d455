package io.swarmkeeper.node;

import io.swarmkeeper.content.AssemblyFile;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.PieceTree;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import io.swarmkeeper.transfer.RangeSink;
import io.swarmkeeper.transfer.TransferMessage;
import io.swarmkeeper.transfer.RateLimiter;
import io.swarmkeeper.transfer.TransferClient;
import io.swarmkeeper.transfer.TransferProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One resource fetched in ranges from several holders at once. The first holder's answer gives
 * the size; the rest is cut into ranges that each holder takes in turn, a few at a time. When a
 * holder fails, stalls or breaks the protocol, what it had delivered is kept and the rest of its
 * range goes back to the front of the queue, to be asked of another holder from the exact offset
 * where it stopped: no byte received is asked for twice.
 *
 * <p>Every delivered range is recorded with its sender, so that when the whole-resource hash
 * fails, a good copy shows exactly which holder sent which bad bytes ({@link #compareWith}).
 */
final class SwarmDownload implements AutoCloseable {
    /** Size of the ranges holders are asked for. */
    static final long RANGE_BYTES = 512 * 1024;
    /** Ranges asked of one holder at once (its server answers two per link). */
    static final int IN_FLIGHT_PER_SOURCE = 2;

    /** A range received from {@code peer}. */
    record Piece(long offset, long length, String peer) {}

    /** Bytes a holder sent that differ from the good copy. */
    record BadRange(String peer, long offset, long length) {}

    private final ResourceId id;
    private final Path stagingDir;
    private final long maxBytes;
    /** Told when a holder must not be used again in this download, and why; {@code distrust} is true for lies and violations. */
    private final SourceDropped dropped;

    private final Object lock = new Object();
    private final Map<String, Source> sources = new LinkedHashMap<>();
    private final Deque<long[]> todo = new ArrayDeque<>();
    private final List<Piece> delivered = new ArrayList<>();
    private final CompletableFuture<Void> complete = new CompletableFuture<>();
    private volatile long size = -1;
    /** Holders dropped only for disagreeing with the size: they may serve another round. */
    private final java.util.Set<String> disagreed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The holder whose answer set the size: blamed when the size turns out wrong. */
    private volatile String sizer;
    /** Merkle-root ids are checked piece by piece on arrival. */
    private final boolean merkle;
    private final byte[] root;
    private volatile int pieceCount;
    private final Map<Integer, byte[]> pieceHashes = new java.util.concurrent.ConcurrentHashMap<>();
    private long remaining = -1;
    private boolean sizing;
    private AssemblyFile file;

    /** How a holder failed a download. */
    enum Fault {
        /** It sent a piece that failed its hash (Merkle-root ids): distrust it, it lied. */
        BAD_BYTES,
        /** It broke the transfer protocol: distrust it. */
        VIOLATION,
        /** It sent nothing for a whole idle window: a strike. */
        STALL,
        /** It went away, did not hold it, was busy, or disagreed on the size: no blame. */
        GONE
    }

    interface SourceDropped {
        void dropped(String peer, String why, Fault fault);
    }

    private final RateLimiter rate;
    private final ScheduledExecutorService timer;

    /**
     * @param rate   the node's download cap: each range is reserved before it is asked for
     * @param timer  where requests wait for the cap without blocking a link's thread
     */
    SwarmDownload(ResourceId id, Path stagingDir, long maxBytes, SourceDropped dropped, RateLimiter rate,
                  ScheduledExecutorService timer) {
        this.rate = rate;
        this.timer = timer;
        this.id = id;
        this.merkle = id.algorithm() == HashAlgorithm.MERKLE_SHA256;
        this.root = id.digest();
        this.stagingDir = stagingDir;
        this.maxBytes = maxBytes;
        this.dropped = dropped;
    }

    /** Completes when every byte was delivered (not yet verified), or fails when the resource cannot be had this way. */
    CompletableFuture<Void> complete() {
        return complete;
    }

    private final class Source {
        final String peer;
        final TransferClient client;
        final Set<Request> inFlight = new HashSet<>();
        boolean gone;

        Source(String peer, TransferClient client) {
            this.peer = peer;
            this.client = client;
        }
    }

    /**
     * One range asked of one holder. For a Merkle-root id the bytes wait in memory until their
     * whole 64 KiB piece is there, and reach the staging file only once the piece matched the
     * hash the holder proved against the root; {@code written} counts only such bytes, so a
     * request that fails is resumed from the start of its first unverified piece.
     */
    private final class Request implements RangeSink {
        final Source source;
        final long offset;
        final long length;
        private byte[] piece; // Merkle: the bytes of the piece being received
        private int pieceFill;
        volatile long written;
        /** Bytes received, verified or not: what the stall rule counts. */
        volatile long received;
        volatile long windowStartNanos;
        volatile long receivedAtWindowStart;
        volatile CompletableFuture<Long> future;

        Request(Source source, long offset, long length) {
            this.source = source;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public void size(long totalSize) throws IOException {
            received += 1; // an answer is progress, even before the first byte
            learnSize(totalSize, this);
        }

        @Override
        public void write(long at, byte[] data, int from, int length) throws IOException {
            received += length;
            if (!merkle) {
                file.write(at, data, from, length);
                written += length;
                return;
            }
            int used = 0;
            while (used < length) {
                long pieceStart = offset + written;
                int index = (int) (pieceStart / PieceTree.PIECE_BYTES);
                int pieceLength = PieceTree.pieceLength(size, index);
                byte[] expected = pieceHashes.get(index);
                if (expected == null) {
                    throw new TransferProtocolException("bytes of piece " + index + " before its hash");
                }
                if (pieceFill == 0 && length - used >= pieceLength) {
                    // A whole piece in this chunk (the holder sends piece-aligned chunks): checked
                    // and written from the received array.
                    checkPiece(expected, data, from + used, pieceLength, pieceStart);
                    file.write(pieceStart, data, from + used, pieceLength);
                    written += pieceLength;
                    used += pieceLength;
                    continue;
                }
                if (piece == null) {
                    piece = new byte[PieceTree.PIECE_BYTES];
                }
                int n = Math.min(length - used, pieceLength - pieceFill);
                System.arraycopy(data, from + used, piece, pieceFill, n);
                pieceFill += n;
                used += n;
                if (pieceFill == pieceLength) {
                    checkPiece(expected, piece, 0, pieceLength, pieceStart);
                    file.write(pieceStart, piece, 0, pieceLength);
                    written += pieceLength;
                    pieceFill = 0;
                }
            }
        }

        private void checkPiece(byte[] expected, byte[] data, int from, int pieceLength, long pieceStart) throws BadPiece {
            if (!java.security.MessageDigest.isEqual(expected, PieceTree.pieceHash(data, from, pieceLength, pieceCount == 1))) {
                throw new BadPiece("sent a bad piece: " + pieceLength + " bytes at " + pieceStart + " failed their hash");
            }
        }

        @Override
        public void hashes(TransferMessage.Hashes h) throws IOException {
            if (!merkle) {
                RangeSink.super.hashes(h);
            }
            int last = h.firstPiece() + h.pieces().size() - 1;
            long end = Math.min(size, offset + length);
            if (h.firstPiece() < offset / PieceTree.PIECE_BYTES || (long) last * PieceTree.PIECE_BYTES >= end) {
                throw new TransferProtocolException("piece hashes outside the range asked for");
            }
            if (!PieceTree.verify(root, pieceCount, h.firstPiece(), h.pieces(), h.proof())) {
                throw new TransferProtocolException("piece hashes that do not lead to the resource's root");
            }
            for (int i = 0; i < h.pieces().size(); i++) {
                pieceHashes.putIfAbsent(h.firstPiece() + i, h.pieces().get(i));
            }
            received += 1; // an answer is progress, even before the first byte
        }
    }

    /** A piece failed its proven hash: its sender lied. */
    static final class BadPiece extends IOException {
        BadPiece(String message) {
            super(message);
        }
    }

    /** A holder whose link is open: it starts taking ranges at once. */
    void addSource(String peer, TransferClient client) {
        synchronized (lock) {
            if (complete.isDone() || sources.containsKey(peer)) {
                return;
            }
            sources.put(peer, new Source(peer, client));
        }
        pumpAll();
    }

    /** Holders still taking part. */
    int liveSources() {
        synchronized (lock) {
            return (int) sources.values().stream().filter(s -> !s.gone).count();
        }
    }

    /** True when {@code peer} joined, sent nothing, and was not dropped: it may serve another round. */
    boolean isIdle(String peer) {
        synchronized (lock) {
            Source s = sources.get(peer);
            boolean sentNothing = delivered.stream().noneMatch(p -> p.peer().equals(peer));
            return s != null && sentNothing && (!s.gone || disagreed.contains(peer));
        }
    }

    /** Every holder that sent bytes, in order of first delivery. */
    List<String> senders() {
        synchronized (lock) {
            return delivered.stream().map(Piece::peer).distinct().toList();
        }
    }

    long bytesDelivered() {
        synchronized (lock) {
            return delivered.stream().mapToLong(Piece::length).sum();
        }
    }

    /** Bytes a request must bring in each idle window, so that a holder trickling bytes cannot hold a download forever. */
    static final long MIN_BYTES_PER_WINDOW = 64 * 1024;

    /**
     * Cancels every request that received less than {@link #MIN_BYTES_PER_WINDOW} (or what was
     * left of it) during a window of {@code windowNanos}: its holder is dropped as stalled and
     * the rest of its range requeued.
     */
    void cancelStalled(long windowNanos) {
        List<Request> stalled = new ArrayList<>();
        synchronized (lock) {
            long now = System.nanoTime();
            for (Source s : sources.values()) {
                for (Request r : s.inFlight) {
                    if (r.future == null || now - r.windowStartNanos < windowNanos) {
                        continue;
                    }
                    long brought = r.received - r.receivedAtWindowStart;
                    long left = Math.max(1, (size < 0 ? r.length : Math.min(r.length, size - r.offset)) - r.receivedAtWindowStart);
                    if (brought < Math.min(MIN_BYTES_PER_WINDOW, left)) {
                        stalled.add(r);
                    } else {
                        r.windowStartNanos = now;
                        r.receivedAtWindowStart = r.received;
                    }
                }
            }
        }
        for (Request r : stalled) {
            dropSource(r.source, "stalled: under " + MIN_BYTES_PER_WINDOW + " bytes in " + windowNanos / 1_000_000_000 + " s",
                    Fault.STALL);
            r.source.client.cancel(r.future);
        }
    }

    private void learnSize(long totalSize, Request first) throws IOException {
        synchronized (lock) {
            if (size >= 0) {
                if (totalSize != size) {
                    // One of the two lies, or holds another version. Not proof against this one: it
                    // leaves this download and may serve the next round; the hash settles it.
                    disagreed.add(first.source.peer);
                    throw new IOException("says the resource is " + totalSize + " bytes; another holder said " + size);
                }
                return;
            }
            if (totalSize > maxBytes) {
                throw new OverLimit("peer offers " + totalSize + " bytes, over the limit of " + maxBytes);
            }
            AssemblyFile created = AssemblyFile.create(id, totalSize, stagingDir);
            if (complete.isDone()) { // closed meanwhile
                created.close();
                throw new IOException("download closed");
            }
            file = created;
            pieceCount = PieceTree.pieceCount(totalSize);
            remaining = totalSize;
            sizer = first.source.peer;
            size = totalSize;
            long firstEnd = Math.min(size, first.offset + first.length);
            for (long at = firstEnd; at < size; at += RANGE_BYTES) {
                todo.add(new long[] {at, Math.min(RANGE_BYTES, size - at)});
            }
        }
        try {
            timer.execute(this::pumpAll); // the others may start now, not when the first range is done
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IOException("download closed", e);
        }
    }

    private void pumpAll() {
        List<Source> live;
        synchronized (lock) {
            live = sources.values().stream().filter(s -> !s.gone).toList();
        }
        live.forEach(this::pump);
    }

    /** Gives {@code source} ranges until it has {@link #IN_FLIGHT_PER_SOURCE} out. */
    private void pump(Source source) {
        List<Request> toSend = new ArrayList<>();
        synchronized (lock) {
            // inFlight already holds what this loop adds: counting toSend too gave a holder that
            // had none out a single request, and kept it at one.
            while (!source.gone && !complete.isDone() && source.inFlight.size() < IN_FLIGHT_PER_SOURCE) {
                Request r;
                if (size < 0) {
                    if (sizing) {
                        break; // the first answer will tell the size
                    }
                    sizing = true;
                    r = new Request(source, 0, RANGE_BYTES);
                } else {
                    long[] range = todo.poll();
                    if (range == null) {
                        break;
                    }
                    r = new Request(source, range[0], range[1]);
                }
                toSend.add(r);
                source.inFlight.add(r);
            }
        }
        for (Request r : toSend) {
            long wait = rate.reserve(r.length);
            if (wait == 0) {
                send(r);
            } else {
                timer.schedule(() -> send(r), wait, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void send(Request r) {
        if (complete.isDone()) {
            synchronized (lock) {
                r.source.inFlight.remove(r);
            }
            return;
        }
        r.windowStartNanos = System.nanoTime();
        CompletableFuture<Long> future = r.source.client.fetchRange(id, r.offset, r.length, r);
        r.future = future;
        future.whenComplete((n, e) -> finished(r, e));
        if (complete.isDone()) {
            r.source.client.cancel(future); // closed while it was being sent
        }
    }

    private void finished(Request r, Throwable failure) {
        boolean done = false;
        synchronized (lock) {
            r.source.inFlight.remove(r);
            long got = r.written;
            if (got > 0) {
                delivered.add(new Piece(r.offset, got, r.source.peer));
                remaining -= got;
            }
            if (size < 0) {
                sizing = false;
            } else {
                long end = Math.min(size, r.offset + r.length);
                if (r.offset + got < end) { // failed, or (never expected) ended short: ask again for the rest
                    todo.addFirst(new long[] {r.offset + got, end - r.offset - got});
                }
            }
            done = size >= 0 && remaining == 0 && todo.isEmpty();
        }
        if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            Fault fault = cause instanceof BadPiece ? Fault.BAD_BYTES
                    : cause instanceof TransferProtocolException ? Fault.VIOLATION : Fault.GONE;
            dropSource(r.source, cause.getMessage(), fault);
            if (cause instanceof OverLimit) {
                complete.completeExceptionally(cause);
                return;
            }
        }
        if (done) {
            complete.complete(null);
        } else {
            pumpAll();
        }
    }

    private void dropSource(Source source, String why, Fault fault) {
        synchronized (lock) {
            if (source.gone) {
                return;
            }
            source.gone = true;
        }
        dropped.dropped(source.peer, why, fault);
    }

    /** Hashes the assembled bytes: verified, or a mismatch with the assembly kept for {@link #compareWith}. */
    VerifiedFile verify() throws IOException {
        AssemblyFile assembled;
        synchronized (lock) {
            assembled = file;
        }
        if (assembled == null) { // an empty resource answered without a size? never: size comes first
            throw new IOException("nothing was assembled");
        }
        return assembled.verify("from peers " + String.join(", ", senders()));
    }

    /**
     * Compares the assembled bytes with a good copy, range by delivered range; returns every
     * range whose bytes differ, with the holder that sent it.
     */
    List<BadRange> compareWith(VerifiedFile good) throws IOException {
        List<Piece> pieces;
        synchronized (lock) {
            pieces = new ArrayList<>(delivered);
        }
        List<BadRange> bad = new ArrayList<>();
        if (good.size() != size) {
            // The size everyone worked to was wrong: whoever gave it lied (the rest followed it).
            bad.add(new BadRange(sizer, 0, size));
            return bad;
        }
        pieces.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        try (InputStream in = good.open()) {
            long at = 0;
            for (Piece p : pieces) {
                in.skipNBytes(p.offset() - at);
                byte[] expected = in.readNBytes((int) p.length());
                at = p.offset() + expected.length;
                byte[] got = file.read(p.offset(), (int) p.length());
                if (!Arrays.equals(expected, got)) {
                    bad.add(new BadRange(p.peer(), p.offset(), p.length()));
                }
            }
        }
        return bad;
    }

    /** Holder by holder, the bytes each delivered. */
    Map<String, Long> bytesBySender() {
        Map<String, Long> bytes = new LinkedHashMap<>();
        synchronized (lock) {
            for (Piece p : delivered) {
                bytes.merge(p.peer(), p.length(), Long::sum);
            }
        }
        return bytes;
    }

    /** Stops every request still out and deletes unverified bytes. */
    @Override
    public void close() throws IOException {
        List<Request> out = new ArrayList<>();
        synchronized (lock) {
            complete.completeExceptionally(new IOException("closed"));
            for (Source s : sources.values()) {
                out.addAll(s.inFlight);
            }
        }
        for (Request r : out) {
            if (r.future != null) {
                r.source.client.cancel(r.future);
            }
        }
        AssemblyFile assembled;
        synchronized (lock) {
            assembled = file;
        }
        if (assembled != null) {
            assembled.close();
        }
    }

    /** The resource is larger than this download may take: no holder will do. */
    static final class OverLimit extends IOException {
        OverLimit(String message) {
            super(message);
        }
    }
}
