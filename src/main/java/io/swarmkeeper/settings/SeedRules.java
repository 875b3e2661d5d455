package io.swarmkeeper.settings;

import io.swarmkeeper.manifest.OriginKey;
import io.swarmkeeper.node.SeederConfig;
import io.swarmkeeper.origin.AddressPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a seeder's settings must be, checked the same way whether they come from {@code seed}'s
 * command line, the environment or the settings file the window writes. Each check throws
 * {@link SettingRefused} with a message that starts with the option's name.
 */
public final class SeedRules {
    private SeedRules() {}

    /** The signaling server: a {@code ws://} or {@code wss://} URL with a host. */
    public static URI server(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new SettingRefused("--server", "--server " + text + ": not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new SettingRefused("--server", "--server " + text + ": must be a ws:// or wss:// URL, e.g. wss://signal.example.org");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new SettingRefused("--server", "--server " + text + ": names no host (expected e.g. ws://127.0.0.1:8765)");
        }
        return uri;
    }

    /** The store's directory: a path. */
    public static Path store(String text) {
        if (text.isBlank()) {
            throw new SettingRefused("--store", "--store must name a directory");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new SettingRefused("--store", "--store " + text + ": not a path (" + e.getReason() + ")");
        }
    }

    public static int uploadSlots(int slots) {
        if (slots < 1 || slots > SeederConfig.MAX_UPLOAD_SLOTS) {
            throw new SettingRefused("--upload-slots", "--upload-slots: upload slots must be 1.."
                    + SeederConfig.MAX_UPLOAD_SLOTS + ", got " + slots);
        }
        return slots;
    }

    public static long quota(long bytes) {
        return zeroOrMore("--quota", bytes, "no limit");
    }

    public static long uploadRate(long bytesPerSecond) {
        return zeroOrMore("--upload-rate", bytesPerSecond, "no cap");
    }

    public static long scrubRate(long bytesPerSecond) {
        return zeroOrMore("--scrub-rate", bytesPerSecond, "off");
    }

    private static long zeroOrMore(String option, long value, String zeroMeans) {
        if (value < 0) {
            throw new SettingRefused(option, option + " must be 0 (" + zeroMeans + ") or more");
        }
        return value;
    }

    public static Duration manifestRefresh(Duration every) {
        if (every.isNegative()) {
            throw new SettingRefused("--manifest-refresh", "--manifest-refresh must be 0 (off) or more");
        }
        return every;
    }

    /** An origin key given as {@code option} ({@code --trusted-key}, or a site's key). */
    public static OriginKey trustedKey(String option, String text) {
        try {
            return OriginKey.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SettingRefused(option, option + ": " + e.getMessage());
        }
    }

    /** The prefixes demand is taken from, each a URL {@link DemandOrigins} accepts under {@code addresses}. */
    public static List<String> demandOrigins(List<String> prefixes, AddressPolicy addresses) {
        for (String origin : prefixes) {
            String problem = DemandOrigins.problem(origin, addresses);
            if (problem != null) {
                throw new SettingRefused("--demand-origin", "--demand-origin " + origin + ": " + problem);
            }
        }
        return List.copyOf(prefixes);
    }

    /**
     * A manifest given as {@code option}: an http(s) URL with a host, or a file path. Whether it
     * exists and verifies is found when it is read.
     */
    public static String manifest(String option, String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new SettingRefused(option, option + " must name a manifest: an http(s) URL or a file");
        }
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                URI uri = new URI(t);
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    throw new SettingRefused(option, option + " " + t + ": names no host (expected e.g. https://example.com/manifest.json)");
                }
            } catch (URISyntaxException e) {
                throw new SettingRefused(option, option + " " + t + ": not a URL (" + e.getReason() + ")");
            }
        } else if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            throw new SettingRefused(option, option + " " + t + ": a manifest is an http(s) URL or a file");
        }
        return t;
    }
}
