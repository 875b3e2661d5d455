package io.swarmkeeper.settings;

import io.swarmkeeper.origin.AddressPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The prefixes a seeder takes demand from ({@code seed --demand-origin}): absolute http or
 * https URLs of a host, without user information, query, fragment or {@code ..}, because the
 * seeder fetches whatever strangers ask for at or below them.
 */
public final class DemandOrigins {
    private DemandOrigins() {}

    /** What is wrong with {@code prefix}, for people; null when nothing is. */
    public static String problem(String prefix, AddressPolicy addresses) {
        URI uri;
        try {
            uri = new URI(prefix);
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an http or https URL, e.g. https://example.com/static/";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "names no host (expected e.g. https://example.com/static/)";
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "must be scheme://host[:port]/path, without user@, ?query or #fragment";
        }
        if (uri.getPath() != null && uri.getPath().contains("..")) {
            return "must not contain \"..\"";
        }
        String host = uri.getHost();
        boolean literal = host.startsWith("[") || host.matches("((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])");
        if (literal && !addresses.allowsPrivate()) {
            try {
                String why = AddressPolicy.whyNotPublic(InetAddress.getByName(host)); // a literal: no lookup
                if (why != null) {
                    return host + " is " + why + "; demands from it are taken only with --allow-private-origins";
                }
            } catch (UnknownHostException e) {
                return host + " is not an IP address";
            }
        }
        return null;
    }
}
