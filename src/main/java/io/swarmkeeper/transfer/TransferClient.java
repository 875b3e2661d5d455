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
 * The requester's side of the transfer protocol on one link. Bytes go into a {@link VerifiedFile}
 * as they arrive and are hashed there; a fetch completes only with bytes whose hash matched, and
 * fails with {@link io.swarmkeeper.content.HashMismatchException} when the peer lied.
 */
public final class TransferClient {
    private final String peerId;
    private final MessageSink out;
    private final TransferObserver observer;
    private final AtomicInteger nextRequestId = new AtomicInteger(1);
    private final Map<Integer, Download> downloads = new ConcurrentHashMap<>();

    public TransferClient(String peerId, MessageSink out, TransferObserver observer) {
        this.peerId = peerId;
        this.out = out;
        this.observer = observer;
    }

    /**
     * Asks the peer for the whole of {@code id}. The future completes with verified bytes, or fails
     * with why not (not held, hash mismatch, protocol violation, link closed, over {@code maxBytes}).
     */
    public CompletableFuture<VerifiedFile> fetch(ResourceId id, Path stagingDir, long maxBytes) {
        int requestId = nextRequestId.getAndIncrement();
        Download download = new Download(requestId, id, stagingDir, maxBytes);
        downloads.put(requestId, download);
        try {
            out.send(TransferMessage.encode(new TransferMessage.Request(requestId, id.text(), 0, TransferMessage.TO_END)));
        } catch (IOException e) {
            download.fail(e);
        }
        return download.result;
    }

    /** Handles one message from the holder. Throws when the holder broke the protocol. */
    public void onMessage(byte[] bytes) throws TransferProtocolException {
        TransferMessage message = TransferMessage.decode(bytes);
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

    /** Bytes received so far for the download behind {@code result} (0 when unknown or done). */
    public long received(CompletableFuture<VerifiedFile> result) {
        for (Download download : downloads.values()) {
            if (download.result == result) {
                return download.received;
            }
        }
        return 0;
    }

    /** Abandons a download and tells the holder to stop. */
    public void cancel(CompletableFuture<VerifiedFile> result) {
        for (Download download : downloads.values()) {
            if (download.result == result) {
                download.fail(new IOException("cancelled"));
                try {
                    out.send(TransferMessage.encode(new TransferMessage.Cancel(download.requestId)));
                } catch (IOException ignored) {
                    // the link is going anyway
                }
            }
        }
    }

    private final class Download {
        final int requestId;
        final ResourceId id;
        final Path stagingDir;
        final long maxBytes;
        final CompletableFuture<VerifiedFile> result = new CompletableFuture<>();
        VerifiedFile file;
        long expected = -1;
        volatile long received;

        Download(int requestId, ResourceId id, Path stagingDir, long maxBytes) {
            this.requestId = requestId;
            this.id = id;
            this.stagingDir = stagingDir;
            this.maxBytes = maxBytes;
        }

        // accept (link thread) and fail (any thread) exclude each other, so that the file is
        // never closed under a write and never completed twice.
        synchronized void accept(TransferMessage message) throws IOException {
            if (result.isDone()) {
                return;
            }
            if (message instanceof TransferMessage.Response response) {
                if (file != null) {
                    throw new TransferProtocolException("second response for request " + requestId);
                }
                if (response.offset() != 0 || response.length() != response.totalSize()) {
                    throw new TransferProtocolException("asked for the whole resource, got a range");
                }
                if (response.totalSize() > maxBytes) {
                    throw new IOException("peer offers " + response.totalSize() + " bytes, over the limit of " + maxBytes);
                }
                expected = response.length();
                file = VerifiedFile.stage(id, stagingDir);
                observer.started(peerId, id, TransferObserver.Direction.DOWNLOAD, expected);
            } else if (message instanceof TransferMessage.Chunk chunk) {
                if (file == null) {
                    throw new TransferProtocolException("chunk before response");
                }
                if (chunk.data().length == 0) {
                    throw new TransferProtocolException("empty chunk");
                }
                if (chunk.offset() != file.size()) {
                    throw new TransferProtocolException("chunk at offset " + chunk.offset() + ", expected " + file.size());
                }
                if (file.size() + chunk.data().length > expected) {
                    throw new TransferProtocolException("more bytes than the " + expected + " announced");
                }
                file.write(chunk.data(), 0, chunk.data().length);
                received = file.size();
                observer.progress(peerId, id, TransferObserver.Direction.DOWNLOAD, file.size(), expected);
            } else if (message instanceof TransferMessage.End) {
                if (file == null || file.size() != expected) {
                    throw new TransferProtocolException("end after " + (file == null ? 0 : file.size())
                            + " of " + expected + " bytes");
                }
                file.verify("from peer " + peerId);
                downloads.remove(requestId);
                observer.finished(peerId, id, TransferObserver.Direction.DOWNLOAD, file.size(), null);
                result.complete(file);
            } else if (message instanceof TransferMessage.NotFound) {
                throw new IOException("peer " + peerId + " does not hold " + id.shortForm());
            } else if (message instanceof TransferMessage.Error error) {
                throw new IOException("peer " + peerId + " failed: " + error.message() + " (code " + error.code() + ")");
            } else {
                throw new TransferProtocolException("a holder may not send " + message.getClass().getSimpleName());
            }
        }

        synchronized void fail(IOException cause) {
            downloads.remove(requestId);
            if (result.isDone()) {
                return;
            }
            if (file != null) {
                try {
                    file.close();
                } catch (IOException ignored) {
                    // best effort: it is a temporary file
                }
            }
            if (result.completeExceptionally(cause)) {
                observer.finished(peerId, id, TransferObserver.Direction.DOWNLOAD,
                        file == null ? 0 : file.size(), cause.getMessage());
            }
        }
    }
}
