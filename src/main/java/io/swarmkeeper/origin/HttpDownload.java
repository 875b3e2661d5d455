package io.swarmkeeper.origin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP(S) GET whose body is pushed into a {@link Sink} as it arrives, within limits: a
 * connect timeout, a deadline for the whole download (headers and body, so a server that
 * trickles or stalls cannot hold it forever), and a size limit checked against
 * {@code Content-Length} and again on every received buffer (an endless body is cut there).
 * Redirects are followed as browsers do except from https to http, at most 5 hops (the JDK's
 * {@code jdk.httpclient.redirects.retrylimit}).
 */
public final class HttpDownload {
    /** Where the body goes. Called on the HTTP client's threads, one call at a time. */
    public interface Sink {
        void write(byte[] bytes, int off, int len) throws IOException;
    }

    /** The server answered with a status other than 200. */
    public static final class StatusException extends IOException {
        private final int status;

        StatusException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** What was downloaded. */
    public record Result(String mediaType, long bytes) {}

    private final HttpClient http;
    private final Duration deadline;
    private final long maxBytes;

    /**
     * One HTTP client per connect timeout for the whole process: each client owns a selector
     * thread until it is garbage-collected, so a client per download (or per short-lived peer)
     * piles threads up.
     */
    private static final Map<String, HttpClient> CLIENTS = new ConcurrentHashMap<>();
    /** Redirects followed at most, when this class follows them itself. */
    static final int MAX_REDIRECTS = 5;

    /** When not null, redirects are followed here, one by one, only to URLs it accepts. */
    private final java.util.function.Predicate<URI> redirectsAllowed;

    public HttpDownload(Duration connectTimeout, Duration deadline, long maxBytes) {
        this(connectTimeout, deadline, maxBytes, null);
    }

    /**
     * @param redirectsAllowed null: redirects followed by the HTTP client (at most 5, never
     *        https → http); otherwise each redirect target must pass this test
     */
    public HttpDownload(Duration connectTimeout, Duration deadline, long maxBytes,
                        java.util.function.Predicate<URI> redirectsAllowed) {
        HttpClient.Redirect policy = redirectsAllowed == null ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER;
        this.http = CLIENTS.computeIfAbsent(connectTimeout + "/" + policy, key -> HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(policy)
                .build());
        this.deadline = deadline;
        this.maxBytes = maxBytes;
        this.redirectsAllowed = redirectsAllowed;
    }

    /** Downloads {@code url} into {@code sink}; {@code what} names it in messages ("origin", "manifest"). */
    public Result get(URI url, Sink sink, String what) throws IOException {
        URI at = url;
        for (int hop = 0; ; hop++) {
            try {
                return getOnce(at, sink, what);
            } catch (Redirected r) {
                URI next;
                try {
                    next = at.resolve(r.location);
                } catch (IllegalArgumentException e) {
                    throw new IOException(what + " " + url + " redirects to a malformed location", e);
                }
                if (hop >= MAX_REDIRECTS) {
                    throw new IOException(what + " " + url + ": more than " + MAX_REDIRECTS + " redirects");
                }
                String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
                if (!redirectsAllowed.test(next) || (at.getScheme().equalsIgnoreCase("https") && !scheme.equals("https"))) {
                    throw new IOException(what + " " + url + " redirects to " + next + ", which is not an accepted place");
                }
                at = next;
            }
        }
    }

    /** A redirect this class follows itself; nothing was written to the sink. */
    private static final class Redirected extends IOException {
        final String location;

        Redirected(String location) {
            super("redirect to " + location);
            this.location = location;
        }
    }

    private Result getOnce(URI url, Sink sink, String what) throws IOException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException(what + " URL must be http or https: " + url);
        }
        BodyWriter writer = new BodyWriter(sink, url, what);
        CompletableFuture<HttpResponse<Void>> exchange = null;
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(deadline).GET().build();
            exchange = http.sendAsync(request, writer::start);
            HttpResponse<Void> response = exchange.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(response.headers().firstValue("content-type").orElse(null), writer.received.get());
        } catch (IllegalArgumentException e) {
            throw new IOException(what + " URL " + url + " is not valid: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            writer.abort();
            exchange.cancel(true);
            throw new IOException(what + " " + url + " did not deliver within " + describe(deadline) + " ("
                    + writer.received.get() + " bytes received)");
        } catch (InterruptedException e) {
            writer.abort();
            if (exchange != null) {
                exchange.cancel(true);
            }
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        } catch (ExecutionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof IOException io && writer.failure == cause) {
                throw io; // ours: status, size limit, or the sink's own failure
            }
            if (cause instanceof HttpTimeoutException) {
                throw new IOException(what + " " + url + " did not answer within " + describe(deadline), cause);
            }
            throw new IOException(what + " " + url + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Pushes the body into the sink as buffers arrive, counting them against the limit. */
    private final class BodyWriter implements HttpResponse.BodySubscriber<Void> {
        private final Sink sink;
        private final URI url;
        private final String what;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final AtomicLong received = new AtomicLong();
        private volatile Flow.Subscription subscription;
        private volatile boolean aborted;
        private volatile IOException failure;

        BodyWriter(Sink sink, URI url, String what) {
            this.sink = sink;
            this.url = url;
            this.what = what;
        }

        HttpResponse.BodySubscriber<Void> start(HttpResponse.ResponseInfo info) {
            int status = info.statusCode();
            if (redirectsAllowed != null && (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
                    && info.headers().firstValue("location").isPresent()) {
                fail(new Redirected(info.headers().firstValue("location").get()));
            } else if (info.statusCode() != 200) {
                fail(new StatusException(info.statusCode(), what + " answered HTTP " + info.statusCode() + " for " + url));
            } else {
                long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared > maxBytes) {
                    fail(new IOException(what + " " + url + " is " + declared + " bytes, over the limit of " + maxBytes));
                }
            }
            return this;
        }

        private void fail(IOException e) {
            failure = e;
            aborted = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            done.completeExceptionally(e);
        }

        void abort() {
            aborted = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (aborted) { // refused or timed out: read nothing more
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (aborted) {
                return;
            }
            try {
                for (ByteBuffer b : buffers) {
                    int n = b.remaining();
                    if (received.get() + n > maxBytes) {
                        throw new IOException(what + " " + url + " exceeds the limit of " + maxBytes + " bytes");
                    }
                    byte[] chunk = new byte[n];
                    b.get(chunk);
                    sink.write(chunk, 0, n);
                    received.addAndGet(n);
                }
                subscription.request(1);
            } catch (IOException e) {
                fail(e);
            } catch (RuntimeException e) {
                fail(new IOException(what + " " + url + ": " + e, e));
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }
}
