package io.swarmkeeper.manifest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ContentHash;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The manifest of a whole folder of a website's static files, as {@code swarmkeeper hash
 * --manifest} writes it:
 * <pre>{"version":1,"base_url":"https://example.com/static/","algorithm":"sha224","resources":[
 *   {"path":"listing/kitchen.jpg","url":"https://example.com/static/listing/kitchen.jpg",
 *    "hash":"<resource id>","size":48213,"media_type":"image/jpeg"}, …]}</pre>
 * The website's server looks up each link's {@code path} to write its hash beside it (for example
 * as {@code img_hash}); seeders read {@code url} and {@code hash}. The output depends only on the
 * files (sorted by path, no timestamp), so that an unchanged folder gives the same bytes and the
 * same signature.
 */
public final class FolderManifest {
    private static final Map<String, String> MEDIA_TYPES = Map.ofEntries(
            Map.entry("html", "text/html"), Map.entry("htm", "text/html"), Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"), Map.entry("mjs", "text/javascript"), Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain"), Map.entry("xml", "application/xml"), Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/x-icon"), Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"), Map.entry("otf", "font/otf"), Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"), Map.entry("mp3", "audio/mpeg"), Map.entry("ogg", "audio/ogg"),
            Map.entry("wasm", "application/wasm"), Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"));

    private FolderManifest() {}

    /** Hashes every regular file under {@code folder} (hidden files and symbolic links excluded). */
    public static String build(Path folder, URI baseUrl, HashAlgorithm algorithm) throws IOException {
        return build(folder, baseUrl, algorithm, null);
    }

    /** As {@link #build(Path, URI, HashAlgorithm)}, leaving out {@code exclude} (the manifest's own file, when it is written inside the folder). */
    public static String build(Path folder, URI baseUrl, HashAlgorithm algorithm, Path exclude) throws IOException {
        Path excluded = exclude == null ? null : exclude.toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + " is not a directory");
        }
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null) {
            throw new IOException("base URL must be an absolute http or https URL, got " + baseUrl);
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IOException("base URL must not have a query or a fragment, got " + baseUrl);
        }
        String base = baseUrl.toString().endsWith("/") ? baseUrl.toString() : baseUrl + "/";
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !isHidden(folder.relativize(p)))
                    .filter(p -> excluded == null || !p.toAbsolutePath().normalize().equals(excluded)
                            && !p.toAbsolutePath().normalize().equals(Path.of(excluded + ".sig")))
                    .forEach(files::add);
        }
        files.sort((a, b) -> relative(folder, a).compareTo(relative(folder, b)));
        ObjectNode root = MessageCodec.mapper().createObjectNode();
        root.put("version", 1);
        root.put("base_url", base);
        root.put("algorithm", algorithm.label());
        ArrayNode resources = root.putArray("resources");
        for (Path file : files) {
            String path = relative(folder, file);
            ContentHash hash;
            try (InputStream in = Files.newInputStream(file)) {
                hash = ContentHash.of(algorithm, in);
            }
            ObjectNode entry = resources.addObject();
            entry.put("path", path);
            entry.put("url", base + encodePath(path));
            entry.put("hash", hash.id().text());
            entry.put("size", hash.size());
            String type = mediaType(path);
            if (type != null) {
                entry.put("media_type", type);
            }
        }
        return MessageCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relative(Path folder, Path file) {
        List<String> parts = new ArrayList<>();
        folder.relativize(file).forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }

    private static String encodePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String segment : path.split("/")) {
            parts.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", parts);
    }

    static String mediaType(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? null : MEDIA_TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
