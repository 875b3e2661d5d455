package io.swarmkeeper.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.origin.HttpDownload;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * What a seeder should hold: {@code {"resources":[{"url":"http://…","hash":"<resource id>"},…]}}.
 * An entry's {@code size}, when given, is the resource's length in bytes, and the seeder holds
 * its origin to it (an answer that goes on past it is cut at once). Unknown fields are ignored
 * (the manifests {@code swarmkeeper hash --manifest} writes carry {@code path} and
 * {@code media_type} too, for the website's server); a bad entry fails the whole manifest with
 * its index and why.
 */
public record Manifest(List<Entry> resources) {
    /** Largest manifest read, so that a wrong URL cannot fill memory. */
    static final int MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

    /** One resource: where its origin serves it, its id, and its size in bytes (-1: not given). */
    public record Entry(URI url, ResourceId id, long size) {
        /** An entry whose size the manifest does not give. */
        public Entry(URI url, ResourceId id) {
            this(url, id, -1);
        }
    }

    public Manifest {
        resources = List.copyOf(resources);
    }

    /** Reads a manifest from a file path or an http(s) URL at a public address; no signature is required. */
    public static Manifest load(String fileOrUrl) throws IOException {
        return load(fileOrUrl, List.of());
    }

    /** As {@link #load(String, Collection, AddressPolicy)}, from public addresses only. */
    public static Manifest load(String fileOrUrl, Collection<OriginKey> trusted) throws IOException {
        return load(fileOrUrl, trusted, AddressPolicy.PUBLIC_ONLY);
    }

    /**
     * Reads a manifest from a file path or an http(s) URL. When {@code trusted} is not empty the
     * manifest must come with a signature by one of those keys, at {@code <fileOrUrl>.sig}. A
     * URL (and every redirect from it) must be at an address {@code addresses} accepts.
     */
    public static Manifest load(String fileOrUrl, Collection<OriginKey> trusted, AddressPolicy addresses)
            throws IOException {
        return loadSigned(fileOrUrl, trusted, addresses).manifest();
    }

    /** A manifest as read, and the trusted key its signature verified with (null when none was asked for). */
    public record Signed(Manifest manifest, OriginKey signedBy) {}

    /** As {@link #load(String, Collection, AddressPolicy)}, saying which of {@code trusted} signed it. */
    public static Signed loadSigned(String fileOrUrl, Collection<OriginKey> trusted, AddressPolicy addresses)
            throws IOException {
        byte[] bytes = read(fileOrUrl, "manifest", addresses);
        if (bytes == null) {
            throw new IOException("manifest " + fileOrUrl + " not found");
        }
        OriginKey signedBy = null;
        if (!trusted.isEmpty()) {
            String sigAt = signatureLocation(fileOrUrl);
            byte[] sig = read(sigAt, "signature", addresses);
            if (sig == null) {
                throw new IOException("manifest " + fileOrUrl + " is not signed (no " + sigAt
                        + "), and trusted origin keys are configured: refusing it");
            }
            ManifestSignature signature = ManifestSignature.parse(sig, sigAt);
            signature.check(bytes, trusted, fileOrUrl);
            signedBy = signature.key();
        }
        return new Signed(parse(new String(bytes, StandardCharsets.UTF_8), fileOrUrl), signedBy);
    }

    /** The bytes of a file or http(s) URL, at most {@link #MAX_MANIFEST_BYTES}; null when it does not exist. */
    private static byte[] read(String fileOrUrl, String what, AddressPolicy addresses) throws IOException {
        String lower = fileOrUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return download(fileOrUrl, what, addresses);
        }
        Path path = Path.of(fileOrUrl);
        if (!Files.exists(path)) {
            return null;
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException(what + " " + fileOrUrl + " is not a file");
        }
        if (Files.size(path) > MAX_MANIFEST_BYTES) {
            throw new IOException(what + " " + fileOrUrl + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        return Files.readAllBytes(path);
    }

    /** 10 s to connect, a minute for the whole download, 16 MiB at most. */
    private static byte[] download(String url, String what, AddressPolicy addresses) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            new HttpDownload(Duration.ofSeconds(10), Duration.ofMinutes(1), MAX_MANIFEST_BYTES, null, addresses)
                    .get(URI.create(url), body::write, what);
            return body.toByteArray();
        } catch (HttpDownload.StatusException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        } catch (IllegalArgumentException e) {
            throw new IOException(what + " URL " + url + " is not valid: " + e.getMessage(), e);
        }
    }

    /** Where the signature of a manifest is: beside it, with ".sig" appended to the file name or URL path. */
    static String signatureLocation(String fileOrUrl) {
        String lower = fileOrUrl.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            return fileOrUrl + ".sig";
        }
        int end = fileOrUrl.length();
        for (char c : new char[] {'?', '#'}) {
            int i = fileOrUrl.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return fileOrUrl.substring(0, end) + ".sig" + fileOrUrl.substring(end);
    }

    /** Parses manifest text; {@code where} names it in error messages. */
    public static Manifest parse(String json, String where) throws IOException {
        JsonNode root;
        try {
            root = MessageCodec.mapper().readTree(json);
        } catch (IOException e) {
            throw new IOException("manifest " + where + " is not JSON: " + e.getMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("resources");
        if (list == null || !list.isArray()) {
            throw new IOException("manifest " + where + " needs a \"resources\" array");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String url = item.path("url").asText(null);
            String hash = item.path("hash").asText(null);
            if (url == null || hash == null) {
                throw new IOException("manifest " + where + ", resource " + i + ": needs \"url\" and \"hash\"");
            }
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IOException("manifest " + where + ", resource " + i + ": bad url: " + e.getMessage(), e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IOException("manifest " + where + ", resource " + i + ": url must be http or https: " + url);
            }
            long size = -1;
            JsonNode sizeField = item.get("size");
            if (sizeField != null && !sizeField.isNull()) {
                if (!sizeField.isIntegralNumber() || !sizeField.canConvertToLong() || sizeField.asLong() < 0) {
                    throw new IOException("manifest " + where + ", resource " + i
                            + ": size must be a whole number of bytes, 0 or more: " + sizeField);
                }
                size = sizeField.asLong();
            }
            try {
                entries.add(new Entry(uri, ResourceId.parse(hash), size));
            } catch (IllegalArgumentException e) {
                throw new IOException("manifest " + where + ", resource " + i + ": " + e.getMessage(), e);
            }
        }
        return new Manifest(entries);
    }
}
