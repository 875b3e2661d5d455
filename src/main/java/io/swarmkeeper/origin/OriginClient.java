package io.swarmkeeper.origin;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches a resource from the website's own server over HTTP(S), hashing while it downloads.
 * The result is verified or nothing: a mismatch deletes the bytes and names both hashes.
 *
 * <p>Limits: a connect timeout, a deadline for the whole download (headers and body, so a
 * server that trickles or stalls cannot hold a fetch forever), a size limit checked against
 * {@code Content-Length} and again on every received buffer (an endless body is cut there), and
 * redirects followed as browsers do except from https to http, at most 5 hops (the JDK's
 * {@code jdk.httpclient.redirects.retrylimit}).
 */
public final class OriginClient {
    /** A fetched resource: verified bytes and the media type the origin gave. */
    public record Fetched(VerifiedFile file, String mediaType) {}

    private final HttpClient http;
    private final Duration deadline;
    private final long maxBytes;

    /**
     * @param deadline for the whole download, from sending the request to the last byte
     * @param maxBytes largest resource accepted
     */
    public OriginClient(Duration connectTimeout, Duration deadline, long maxBytes) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.deadline = deadline;
        this.maxBytes = maxBytes;
    }

    /** 10 s to connect, 5 minutes for a download, 2 GiB at most. */
    public static OriginClient withDefaults() {
        return new OriginClient(Duration.ofSeconds(10), Duration.ofMinutes(5), 1L << 31);
    }

    /** Downloads {@code url} into a staging file in {@code stagingDir} (the temp dir when null) and verifies it. */
    public Fetched fetch(URI url, ResourceId id, Path stagingDir) throws IOException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("origin URL must be http or https: " + url);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(url).timeout(deadline).GET().build();
        } catch (IllegalArgumentException e) {
            throw new IOException("origin URL " + url + " is not valid: " + e.getMessage(), e);
        }
        VerifiedFile file = VerifiedFile.stage(id, stagingDir);
        BodyWriter writer = new BodyWriter(file, url);
        CompletableFuture<HttpResponse<Void>> exchange = http.sendAsync(request, writer::start);
        try {
            HttpResponse<Void> response = exchange.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            file.verify("from origin " + url);
            return new Fetched(file, response.headers().firstValue("content-type").orElse(null));
        } catch (TimeoutException e) {
            writer.abort();
            exchange.cancel(true);
            file.close();
            throw new IOException("origin " + url + " did not deliver within " + deadline.toSeconds() + " s ("
                    + file.size() + " bytes received)");
        } catch (InterruptedException e) {
            writer.abort();
            exchange.cancel(true);
            file.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        } catch (ExecutionException | CancellationException e) {
            file.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof OriginRefused refused) {
                throw new IOException(refused.getMessage(), refused);
            }
            if (cause instanceof HttpTimeoutException) {
                throw new IOException("origin " + url + " did not answer within " + deadline.toSeconds() + " s", cause);
            }
            throw new IOException("origin " + url + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The origin's answer is not acceptable; the message says why. */
    private static final class OriginRefused extends IOException {
        OriginRefused(String message) {
            super(message);
        }
    }

    /**
     * Writes the body into the staging file as buffers arrive, counting them against the limit.
     * Runs on the HTTP client's threads; the caller waits on the exchange.
     */
    private final class BodyWriter implements HttpResponse.BodySubscriber<Void> {
        private final VerifiedFile file;
        private final URI url;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean aborted;

        BodyWriter(VerifiedFile file, URI url) {
            this.file = file;
            this.url = url;
        }

        HttpResponse.BodySubscriber<Void> start(HttpResponse.ResponseInfo info) {
            if (info.statusCode() != 200) {
                return refuse("origin answered HTTP " + info.statusCode() + " for " + url);
            }
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > maxBytes) {
                return refuse("origin resource " + url + " is " + declared + " bytes, over the limit of " + maxBytes);
            }
            return this;
        }

        private HttpResponse.BodySubscriber<Void> refuse(String why) {
            aborted = true;
            done.completeExceptionally(new OriginRefused(why));
            return this;
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        void abort() {
            aborted = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
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
                    if (file.size() + n > maxBytes) {
                        throw new OriginRefused("origin resource " + url + " exceeds the limit of " + maxBytes + " bytes");
                    }
                    byte[] chunk = new byte[n];
                    b.get(chunk);
                    file.write(chunk, 0, n);
                }
                subscription.request(1);
            } catch (IOException | RuntimeException e) {
                aborted = true;
                subscription.cancel();
                done.completeExceptionally(e);
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
