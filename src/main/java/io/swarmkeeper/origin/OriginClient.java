package io.swarmkeeper.origin;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fetches a resource from the website's own server over HTTP(S), hashing while it downloads.
 * The result is verified or nothing: a mismatch deletes the bytes and names both hashes.
 */
public final class OriginClient {
    /** A fetched resource: verified bytes and the media type the origin gave. */
    public record Fetched(VerifiedFile file, String mediaType) {}

    private final HttpClient http;
    private final Duration requestTimeout;
    private final long maxBytes;

    public OriginClient(Duration connectTimeout, Duration requestTimeout, long maxBytes) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.requestTimeout = requestTimeout;
        this.maxBytes = maxBytes;
    }

    public static OriginClient withDefaults() {
        return new OriginClient(Duration.ofSeconds(10), Duration.ofMinutes(5), 1L << 31);
    }

    public Fetched fetch(URI url, ResourceId id, Path stagingDir) throws IOException {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IOException("origin URL must be http or https: " + url);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(requestTimeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("origin answered HTTP " + response.statusCode() + " for " + url);
            }
            long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > maxBytes) {
                throw new IOException("origin resource " + url + " is " + declared + " bytes, over the limit of " + maxBytes);
            }
            VerifiedFile file = VerifiedFile.stage(id, stagingDir);
            try {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    if (file.size() + n > maxBytes) {
                        throw new IOException("origin resource " + url + " exceeds the limit of " + maxBytes + " bytes");
                    }
                    file.write(buffer, 0, n);
                }
                file.verify("from origin " + url);
                String mediaType = response.headers().firstValue("content-type").orElse(null);
                return new Fetched(file, mediaType);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        }
    }
}
