package io.swarmkeeper.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a seeder should hold: {@code {"resources":[{"url":"http://…","hash":"<sha224 hex>"},…]}}.
 * Unknown fields are ignored; a bad entry fails the whole manifest with its index and why.
 */
public record Manifest(List<Entry> resources) {
    /** Largest manifest read, so that a wrong URL cannot fill memory. */
    static final int MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

    public record Entry(URI url, ResourceId id) {}

    public Manifest {
        resources = List.copyOf(resources);
    }

    /** Reads a manifest from a file path or an http(s) URL. */
    public static Manifest load(String fileOrUrl) throws IOException {
        String lower = fileOrUrl.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return parse(download(fileOrUrl), fileOrUrl);
        }
        Path path = Path.of(fileOrUrl);
        if (!Files.isRegularFile(path)) {
            throw new IOException("manifest " + fileOrUrl + " is not a file");
        }
        if (Files.size(path) > MAX_MANIFEST_BYTES) {
            throw new IOException("manifest " + fileOrUrl + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        return parse(Files.readString(path), fileOrUrl);
    }

    private static String download(String url) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("manifest " + url + ": HTTP " + response.statusCode());
            }
            if (response.body().length > MAX_MANIFEST_BYTES) {
                throw new IOException("manifest " + url + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading manifest " + url, e);
        } catch (IllegalArgumentException e) {
            throw new IOException("manifest URL " + url + " is not valid: " + e.getMessage(), e);
        }
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
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IOException("manifest " + where + ", resource " + i + ": url must be http or https: " + url);
            }
            try {
                entries.add(new Entry(uri, ResourceId.parse(hash)));
            } catch (IllegalArgumentException e) {
                throw new IOException("manifest " + where + ", resource " + i + ": " + e.getMessage(), e);
            }
        }
        return new Manifest(entries);
    }
}
