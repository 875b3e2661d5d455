package io.swarmkeeper.origin;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Fetches a resource from the website's own server over HTTP(S), hashing while it downloads,
 * within the limits of {@link HttpDownload}, from the addresses its {@link AddressPolicy}
 * accepts (public ones unless the operator allowed private ones). The result is verified or
 * nothing: a mismatch deletes the bytes and names both hashes.
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
        this(connectTimeout, deadline, maxBytes, null, AddressPolicy.PUBLIC_ONLY);
    }

    /** A client that follows a redirect only to a URL {@code redirectsAllowed} accepts. */
    public OriginClient(Duration connectTimeout, Duration deadline, long maxBytes,
                        java.util.function.Predicate<URI> redirectsAllowed) {
        this(connectTimeout, deadline, maxBytes, redirectsAllowed, AddressPolicy.PUBLIC_ONLY);
    }

    /**
     * @param redirectsAllowed null: redirects to any http(s) URL; otherwise only to URLs it accepts
     * @param addresses        which addresses origins (and redirects) may be at
     */
    public OriginClient(Duration connectTimeout, Duration deadline, long maxBytes,
                        java.util.function.Predicate<URI> redirectsAllowed, AddressPolicy addresses) {
        this(new HttpDownload(connectTimeout, deadline, maxBytes, redirectsAllowed, addresses));
    }

    OriginClient(HttpDownload download) {
        this.download = download;
    }

    /** 10 s to connect, 5 minutes for a download, 2 GiB at most, public addresses only. */
    public static OriginClient withDefaults() {
        return withDefaults(AddressPolicy.PUBLIC_ONLY);
    }

    /** 10 s to connect, 5 minutes for a download, 2 GiB at most, from the addresses {@code addresses} accepts. */
    public static OriginClient withDefaults(AddressPolicy addresses) {
        return new OriginClient(Duration.ofSeconds(10), Duration.ofMinutes(5), 1L << 31, null, addresses);
    }

    /** Downloads {@code url} into a staging file in {@code stagingDir} (the temp dir when null) and verifies it. */
    public Fetched fetch(URI url, ResourceId id, Path stagingDir) throws IOException {
        return fetch(url, id, -1, stagingDir);
    }

    /**
     * Downloads {@code url} and verifies it. When {@code knownSize} is 0 or more (a manifest's
     * {@code size}), an answer of another length is refused, and a body that goes on past it is
     * cut at once.
     */
    public Fetched fetch(URI url, ResourceId id, long knownSize, Path stagingDir) throws IOException {
        VerifiedFile file = VerifiedFile.stage(id, stagingDir);
        try {
            HttpDownload.Result result = download.get(url, file::write, "origin", knownSize);
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
