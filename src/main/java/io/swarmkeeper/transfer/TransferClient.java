package io.swarmkeeper.transfer;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requester's side of the transfer protocol on one link. A request asks for a range of a
 * resource; its bytes go to a {@link RangeSink} in order as they arrive, and every deviation from
 * what was asked (another range, bytes out of order, more than asked, an early end) is a protocol
 * violation that fails the request and is thrown to the caller, who drops the link.
 */
public final class TransferClient {
    private final String peerId;
    private final MessageSink out;
    private final TransferObserver observer;
    private final AtomicInteger nextRequestId = new AtomicInteger(1);
    private final Map<Integer, Download> downloads = new ConcurrentHashMap<>();
    private final Map<CompletableFuture<?>, Download> byResult = new ConcurrentHashMap<>();
    /** Hears how long the first request took to be answered, once; null: nobody asks. */
    private volatile java.util.function.Consumer<java.time.Duration> firstAnswer;
    /** The first request, when it was sent (System.nanoTime()); 0 before it. */
    private final AtomicInteger firstRequest = new AtomicInteger();
    private volatile long firstSentAt;

    public TransferClient(String peerId, MessageSink out, TransferObserver observer) {
        this.peerId = peerId;
        this.out = out;
        this.observer = observer;
    }

    public String peerId() {
        return peerId;
    }

    /**
     * Tells {@code listener}, once, how long the holder took to answer the first request made on
     * this client (from its REQUEST to the holder's first message about it): a round-trip time,
     * plus what the holder needed to start answering. Set it before the first request.
     */
    public void onFirstAnswer(java.util.function.Consumer<java.time.Duration> listener) {
        firstAnswer = listener;
    }

    /**
     * Asks for {@code length} bytes of {@code id} from {@code offset} ({@link TransferMessage#TO_END}
     * for the rest). The future completes with the number of bytes received once the holder's END
     * arrives after exactly the bytes it announced, or fails with why not.
     */
    public CompletableFuture<Long> fetchRange(ResourceId id, long offset, long length, RangeSink sink) {
        int requestId = nextRequestId.getAndIncrement();
        Download download = new Download(requestId, id, offset, length, sink);
        downloads.put(requestId, download);
        byResult.put(download.result, download);
        download.result.whenComplete((n, e) -> byResult.remove(download.result));
        if (firstAnswer != null && firstRequest.compareAndSet(0, requestId)) {
            firstSentAt = System.nanoTime();
        }
        try {
            out.send(TransferMessage.encode(new TransferMessage.Request(requestId, id.text(), offset, length)));
        } catch (IOException e) {
            download.fail(e);
        }
        return download.result;
    }

    /**
     * Asks the peer for the whole of {@code id}. The future completes with verified bytes, or fails
     * with why not (not held, hash mismatch, protocol violation, link closed, over {@code maxBytes}).
     */
    public CompletableFuture<VerifiedFile> fetch(ResourceId id, Path stagingDir, long maxBytes) {
        VerifiedFile[] file = new VerifiedFile[1];
        RangeSink sink = new RangeSink() {
            @Override
            public void size(long totalSize) throws IOException {
                if (totalSize > maxBytes) {
                    throw new IOException("peer offers " + totalSize + " bytes, over the limit of " + maxBytes);
                }
                file[0] = VerifiedFile.stage(id, stagingDir);
            }

            @Override
            public void write(long offset, byte[] data, int from, int length) throws IOException {
                file[0].write(data, from, length);
            }
        };
        CompletableFuture<Long> range = fetchRange(id, 0, TransferMessage.TO_END, sink);
        CompletableFuture<VerifiedFile> result = new CompletableFuture<>();
        range.whenComplete((n, e) -> {
            try {
                if (e != null) {
                    throw e instanceof IOException io ? io : new IOException(e);
                }
                file[0].verify("from peer " + peerId);
                result.complete(file[0]);
            } catch (IOException failure) {
                closeQuietly(file[0]);
                result.completeExceptionally(failure);
            }
        });
        Download download = byResult.get(range);
        if (download != null) {
            byResult.put(result, download);
            result.whenComplete((f, e) -> byResult.remove(result));
        }
        return result;
    }

    private static void closeQuietly(VerifiedFile file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    /** Handles one message from the holder. Throws when the holder broke the protocol. */
    public void onMessage(byte[] bytes) throws TransferProtocolException {
        TransferMessage message = TransferMessage.decode(bytes);
        java.util.function.Consumer<java.time.Duration> first = firstAnswer;
        if (first != null && message.requestId() == firstRequest.get()) {
            firstAnswer = null;
            first.accept(java.time.Duration.ofNanos(System.nanoTime() - firstSentAt));
        }
        Download download = downloads.get(message.requestId());
        if (download == null) {
            // Late messages of a cancelled or failed request are expected; others are not.
            if (message instanceof TransferMessage.Request || message instanceof TransferMessage.Cancel) {
                throw new TransferProtocolException("a holder may not send " + message.getClass().getSimpleName());
            }
            return;
        }
        try {
            download.accept(message);
        } catch (TransferProtocolException e) {
            download.fail(e);
            throw e;
        } catch (IOException e) {
            download.fail(e);
        }
    }

    /** The link is gone: every pending download fails with {@code reason}. */
    public void onClosed(String reason) {
        for (Download download : downloads.values()) {
            download.fail(new IOException("link to " + peerId + " closed: " + reason));
        }
    }

    /** Bytes received so far for the request behind {@code result} (0 when unknown or done). */
    public long received(CompletableFuture<?> result) {
        Download download = byResult.get(result);
        return download == null ? 0 : download.received;
    }

    /** Abandons a request and tells the holder to stop. */
    public void cancel(CompletableFuture<?> result) {
        Download download = byResult.get(result);
        if (download == null) {
            return;
        }
        download.fail(new IOException("cancelled"));
        try {
            out.send(TransferMessage.encode(new TransferMessage.Cancel(download.requestId)));
        } catch (IOException ignored) {
            // the link is going anyway
        }
    }

    private final class Download {
        final int requestId;
        final ResourceId id;
        final long offset;
        final long length;
        final RangeSink sink;
        final CompletableFuture<Long> result = new CompletableFuture<>();
        long end = -1;
        long next;
        volatile long received;

        Download(int requestId, ResourceId id, long offset, long length, RangeSink sink) {
            this.requestId = requestId;
            this.id = id;
            this.offset = offset;
            this.length = length;
            this.sink = sink;
            this.next = offset;
        }

        // accept (link thread) and fail (any thread) exclude each other, so that the sink is
        // never written after a failure and the result is never completed twice.
        synchronized void accept(TransferMessage message) throws IOException {
            if (result.isDone()) {
                return;
            }
            if (message instanceof TransferMessage.Response response) {
                if (end >= 0) {
                    throw new TransferProtocolException("second response for request " + requestId);
                }
                long wanted = length == TransferMessage.TO_END ? response.totalSize() - offset
                        : Math.min(length, response.totalSize() - offset);
                if (response.offset() != offset || response.length() != wanted || wanted < 0) {
                    throw new TransferProtocolException("asked for " + describe(offset, length) + " of a "
                            + response.totalSize() + "-byte resource, got an answer for "
                            + describe(response.offset(), response.length()));
                }
                sink.size(response.totalSize());
                end = offset + wanted;
                observer.started(peerId, id, TransferObserver.Direction.DOWNLOAD, wanted);
            } else if (message instanceof TransferMessage.Chunk chunk) {
                if (end < 0) {
                    throw new TransferProtocolException("chunk before response");
                }
                int n = chunk.length();
                if (n == 0) {
                    throw new TransferProtocolException("empty chunk");
                }
                if (chunk.offset() != next) {
                    throw new TransferProtocolException("chunk at offset " + chunk.offset() + ", expected " + next);
                }
                if (next + n > end) {
                    throw new TransferProtocolException("more bytes than asked: " + (next + n - offset) + " of "
                            + (end - offset));
                }
                sink.write(next, chunk.array(), chunk.from(), n);
                next += n;
                received = next - offset;
                observer.progress(peerId, id, TransferObserver.Direction.DOWNLOAD, received, end - offset);
            } else if (message instanceof TransferMessage.Hashes hashes) {
                if (end < 0) {
                    throw new TransferProtocolException("piece hashes before the response");
                }
                sink.hashes(hashes);
            } else if (message instanceof TransferMessage.End) {
                if (end < 0 || next != end) {
                    throw new TransferProtocolException("end after " + (next - offset) + " of "
                            + (end < 0 ? "unannounced" : String.valueOf(end - offset)) + " bytes");
                }
                downloads.remove(requestId);
                observer.finished(peerId, id, TransferObserver.Direction.DOWNLOAD, received, null);
                result.complete(received);
            } else if (message instanceof TransferMessage.NotFound) {
                throw new IOException("peer " + peerId + " does not hold " + id.shortForm());
            } else if (message instanceof TransferMessage.Error error && error.code() == TransferError.UNSUPPORTED_VERSION) {
                throw new TransferFailedException(error.code(), "peer " + peerId
                        + " does not speak this channel's protocol version; it speaks " + error.message() + " (code 5)");
            } else if (message instanceof TransferMessage.Error error) {
                throw new TransferFailedException(error.code(),
                        "peer " + peerId + " failed: " + error.message() + " (code " + error.code() + ")");
            } else {
                throw new TransferProtocolException("a holder may not send " + message.getClass().getSimpleName());
            }
        }

        synchronized void fail(IOException cause) {
            downloads.remove(requestId);
            if (result.completeExceptionally(cause)) {
                observer.finished(peerId, id, TransferObserver.Direction.DOWNLOAD, received, cause.getMessage());
            }
        }
    }

    private static String describe(long offset, long length) {
        return length == TransferMessage.TO_END ? "bytes " + offset + "–end" : length + " bytes at " + offset;
    }
}
