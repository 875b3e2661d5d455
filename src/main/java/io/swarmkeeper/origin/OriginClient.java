package io.swarmkeeper.origin;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fetches a resource from the website's own server over HTTP(S), hashing while it downloads,
 * within the limits of {@link HttpDownload}. The result is verified or nothing: a mismatch
 * deletes the bytes and names both hashes.
 */
public final class OriginClient {
    /** A fetched resource: verified bytes and the media type the origin gave. */
    public record Fetched(VerifiedFile file, String mediaType) {}

    private final HttpDownload download;

    /**
     * @param deadline for the whole download, from sending the request to the last byte
     * @param maxBytes largest resource accepted
     */
    public OriginClient(Duration connectTimeout, Duration deadline, long maxBytes) {
        this.download = new HttpDownload(connectTimeout, deadline, maxBytes);
    }

    /** A client that follows a redirect only to a URL {@code redirectsAllowed} accepts. */
    public OriginClient(Duration connectTimeout, Duration deadline, long maxBytes,
                        java.util.function.Predicate<URI> redirectsAllowed) {
        this.download = new HttpDownload(connectTimeout, deadline, maxBytes, redirectsAllowed);
    }

    /** 10 s to connect, 5 minutes for a download, 2 GiB at most. */
    public static OriginClient withDefaults() {
        return new OriginClient(Duration.ofSeconds(10), Duration.ofMinutes(5), 1L << 31);
    }

    /** Downloads {@code url} into a staging file in {@code stagingDir} (the temp dir when null) and verifies it. */
    public Fetched fetch(URI url, ResourceId id, Path stagingDir) throws IOException {
        VerifiedFile file = VerifiedFile.stage(id, stagingDir);
        try {
            HttpDownload.Result result = download.get(url, file::write, "origin");
            file.verify("from origin " + url);
            return new Fetched(file, result.mediaType());
        } catch (IOException | RuntimeException e) {
            try {
                file.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
