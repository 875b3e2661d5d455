package io.swarmkeeper.transfer;

import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.PieceTree;
import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The holder's side of the transfer protocol on one link: answers requests from a
 * {@link ContentSource}, in chunks of at most 64 KiB. Sending runs on the upload executor, whose
 * size is the number of upload slots; {@link #onMessage} only parses and hands off.
 */
public final class TransferServer {
    private static final Logger log = LoggerFactory.getLogger(TransferServer.class);
    /** Requests one link may have running at once; more are answered BUSY so that one peer cannot take every slot. */
    static final int MAX_ACTIVE_PER_LINK = 2;

    private final String peerId;
    private final ContentSource source;
    private final MessageSink out;
    private final Executor uploads;
    private final TransferObserver observer;
    private final RateLimiter rate;
    private final Map<Integer, AtomicBoolean> active = new ConcurrentHashMap<>();
    /** False when the channel names a protocol version this holder does not speak. */
    private final boolean speaks;
    private volatile boolean closed;

    public TransferServer(String peerId, ContentSource source, MessageSink out, Executor uploads, TransferObserver observer) {
        this(peerId, source, out, uploads, observer, RateLimiter.unlimited());
    }

    /** A server whose chunks leave no faster than {@code rate} allows (shared by every link of a node). */
    public TransferServer(String peerId, ContentSource source, MessageSink out, Executor uploads, TransferObserver observer,
                          RateLimiter rate) {
        this(peerId, source, out, uploads, observer, rate, TransferVersion.CHANNEL_PROTOCOL);
    }

    /**
     * A server for a data channel whose protocol field is {@code channelProtocol}: one that does
     * not speak it answers every message with ERROR 5 and serves nothing (see {@link TransferVersion}).
     */
    public TransferServer(String peerId, ContentSource source, MessageSink out, Executor uploads, TransferObserver observer,
                          RateLimiter rate, String channelProtocol) {
        this.speaks = TransferVersion.speaks(channelProtocol);
        if (!speaks) {
            log.info("peer {} opened a channel for protocol \"{}\"; this holder speaks {} and refuses it",
                    peerId, channelProtocol, TransferVersion.SPOKEN);
        }
        this.rate = rate;
        this.peerId = peerId;
        this.source = source;
        this.out = out;
        this.uploads = uploads;
        this.observer = observer;
    }

    /** Handles one message from the requester. Throws when the requester broke the protocol. */
    public void onMessage(byte[] bytes) throws TransferProtocolException {
        if (!speaks) {
            // Another version's messages need not parse as ours; every version keeps the type
            // and the request id in their first five bytes, so each can be refused by its id.
            int requestId = bytes.length >= 5 ? java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt() : 0;
            trySend(new TransferMessage.Error(requestId, TransferError.UNSUPPORTED_VERSION, TransferVersion.SPOKEN));
            return;
        }
        TransferMessage message = TransferMessage.decode(bytes);
        if (message instanceof TransferMessage.Request request) {
            onRequest(request);
        } else if (message instanceof TransferMessage.Cancel cancel) {
            AtomicBoolean cancelled = active.get(cancel.requestId());
            if (cancelled != null) {
                cancelled.set(true);
            }
        } else {
            throw new TransferProtocolException("a requester may not send " + message.getClass().getSimpleName());
        }
    }

    /** Stops every upload on this link. */
    public void close() {
        closed = true;
        active.values().forEach(flag -> flag.set(true));
    }

    private void onRequest(TransferMessage.Request request) throws TransferProtocolException {
        if (!ResourceId.isValid(request.resource())) {
            trySend(new TransferMessage.Error(request.requestId(), TransferError.PROTOCOL,
                    "not a resource id: " + request.resource()));
            throw new TransferProtocolException("request for a malformed resource id");
        }
        if (active.size() >= MAX_ACTIVE_PER_LINK) {
            trySend(new TransferMessage.Error(request.requestId(), TransferError.BUSY,
                    "at most " + MAX_ACTIVE_PER_LINK + " requests at once per peer"));
            return;
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        if (active.putIfAbsent(request.requestId(), cancelled) != null) {
            throw new TransferProtocolException("request id " + request.requestId() + " is already in use");
        }
        try {
            uploads.execute(() -> serve(request, ResourceId.parse(request.resource()), cancelled));
        } catch (RejectedExecutionException e) {
            active.remove(request.requestId());
            trySend(new TransferMessage.Error(request.requestId(), TransferError.BUSY, "no free upload slot"));
        }
    }

    /** One chunk message per upload thread, reused for every chunk it sends. */
    private static final ThreadLocal<ByteBuffer> CHUNK_MESSAGE = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(TransferMessage.CHUNK_HEADER_BYTES + TransferMessage.MAX_CHUNK_BYTES));

    private void serve(TransferMessage.Request request, ResourceId id, AtomicBoolean cancelled) {
        long sent = 0;
        String failure = null;
        try {
            Optional<ContentSource.Content> opened = source.open(id);
            if (opened.isEmpty()) {
                failure = "not held";
                out.send(TransferMessage.encode(new TransferMessage.NotFound(request.requestId())));
                return;
            }
            try (ContentSource.Content content = opened.get()) {
                long size = content.size();
                long offset = request.offset();
                if (offset > size) {
                    failure = "bad range";
                    out.send(TransferMessage.encode(new TransferMessage.Error(request.requestId(),
                            TransferError.BAD_RANGE, "offset " + offset + " beyond size " + size)));
                    return;
                }
                long length = request.length() == TransferMessage.TO_END
                        ? size - offset : Math.min(request.length(), size - offset);
                String misaligned = id.algorithm() == HashAlgorithm.MERKLE_SHA256 ? misaligned(offset, length, size) : null;
                if (misaligned != null) {
                    // Its pieces could not be checked on arrival: refuse it, the link serves on.
                    failure = "misaligned";
                    out.send(TransferMessage.encode(new TransferMessage.Error(request.requestId(), TransferError.PROTOCOL,
                            misaligned)));
                    return;
                }
                // For a Merkle id the piece tree comes first (it may take a moment), so that the
                // response is followed at once by hashes and bytes.
                PieceHashes hashes = id.algorithm() == HashAlgorithm.MERKLE_SHA256 && length > 0
                        ? new PieceHashes(request.requestId(), id, offset, length) : null;
                out.send(TransferMessage.encode(new TransferMessage.Response(request.requestId(), size, offset, length)));
                observer.started(peerId, id, TransferObserver.Direction.UPLOAD, length);
                ReadableByteChannel in = content.channel(offset);
                // Each chunk is read from the store straight into the message (a direct buffer,
                // which libwebrtc copies once): no array per chunk, no copy on the Java heap.
                ByteBuffer message = CHUNK_MESSAGE.get();
                while (sent < length) {
                    if (cancelled.get() || closed) {
                        failure = "cancelled";
                        return;
                    }
                    int n = (int) Math.min(TransferMessage.MAX_CHUNK_BYTES, length - sent);
                    message.clear();
                    TransferMessage.putChunkHeader(message, request.requestId(), offset + sent);
                    message.limit(TransferMessage.CHUNK_HEADER_BYTES + n);
                    while (message.hasRemaining()) {
                        if (in.read(message) < 0) {
                            throw new IOException("stored resource " + id.shortForm() + " ended early at "
                                    + (offset + sent + message.position() - TransferMessage.CHUNK_HEADER_BYTES));
                        }
                    }
                    rate.acquire(n);
                    if (hashes != null) {
                        hashes.sendCovering(offset + sent + n - 1);
                    }
                    out.send(message.flip());
                    sent += n;
                    observer.progress(peerId, id, TransferObserver.Direction.UPLOAD, sent, length);
                }
                // Free the request's place before END: the requester may ask again the moment END arrives.
                active.remove(request.requestId());
                out.send(TransferMessage.encode(new TransferMessage.End(request.requestId())));
            }
        } catch (InterruptedException e) {
            failure = "stopped";
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            log.info("upload of {} to {} failed after {} bytes: {}", id.shortForm(), peerId, sent, failure);
            trySend(new TransferMessage.Error(request.requestId(), TransferError.INTERNAL, "upload failed"));
        } finally {
            active.remove(request.requestId());
            observer.finished(peerId, id, TransferObserver.Direction.UPLOAD, sent, failure);
        }
    }

    /**
     * Why the range {@code offset .. offset+length} of a Merkle-root id cannot be served, or null
     * when it can: it must start on a piece boundary and end on one or at the end of the resource.
     */
    static String misaligned(long offset, long length, long size) {
        long end = offset + length;
        String rule = "mt256- ranges start on a piece boundary (a multiple of " + PieceTree.PIECE_BYTES
                + ") and end on one or at the end of the resource: ";
        if (offset % PieceTree.PIECE_BYTES != 0) {
            return rule + "offset " + offset + " is not a piece boundary";
        }
        if (end != size && end % PieceTree.PIECE_BYTES != 0) {
            return rule + "end " + end + " is not a piece boundary";
        }
        return null;
    }

    /**
     * For a Merkle-root id: sends the hashes of the pieces a range covers, a few pieces at a
     * time, each batch just before the first chunk that needs it, with the proof that links the
     * batch to the root.
     */
    private final class PieceHashes {
        static final int PIECES_PER_MESSAGE = 8;
        private final int requestId;
        private final PieceTree tree;
        private final int lastPiece;
        private int next;

        PieceHashes(int requestId, ResourceId id, long offset, long length) throws IOException {
            this.requestId = requestId;
            this.tree = source.pieceTree(id).orElseThrow(() -> new IOException("piece tree of " + id.shortForm() + " is gone"));
            if (!java.security.MessageDigest.isEqual(tree.root(), id.digest())) {
                throw new IOException("the stored bytes of " + id.text() + " no longer match their id");
            }
            this.next = (int) (offset / PieceTree.PIECE_BYTES);
            this.lastPiece = (int) ((offset + length - 1) / PieceTree.PIECE_BYTES);
        }

        /** Sends every batch up to the one holding byte {@code position}. */
        void sendCovering(long position) throws IOException {
            int needed = (int) (position / PieceTree.PIECE_BYTES);
            while (next <= needed) {
                int count = Math.min(PIECES_PER_MESSAGE, lastPiece - next + 1);
                List<byte[]> pieces = new ArrayList<>(count);
                for (int i = next; i < next + count; i++) {
                    pieces.add(tree.piece(i));
                }
                out.send(TransferMessage.encode(new TransferMessage.Hashes(requestId, next, pieces, tree.proof(next, count))));
                next += count;
            }
        }
    }

    private void trySend(TransferMessage message) {
        try {
            out.send(TransferMessage.encode(message));
        } catch (IOException | RuntimeException e) {
            log.debug("could not tell {} about {}: {}", peerId, message, e.toString());
        }
    }
}
