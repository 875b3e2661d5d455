package io.swarmkeeper.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ICE server URLs as a browser's {@code RTCIceServer} accepts them, after RFC 7064 (STUN) and
 * RFC 7065 (TURN): {@code stun:host[:port]}, {@code stuns:host[:port]},
 * {@code turn:host[:port][?transport=udp|tcp]}, {@code turns:…} likewise. The signaling server
 * hands them to every peer, and a browser's {@code RTCPeerConnection} throws on one it does not
 * accept, so the server refuses them at start instead.
 */
final class IceServerUrls {
    private static final Pattern FORM = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):(.*)");
    private static final Pattern HOST_PORT_QUERY = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^:/?#\\[\\]@]+)(?::([0-9]*))?(?:\\?(.*))?");
    private static final Pattern HOST_NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private IceServerUrls() {}

    /** True for {@code turn:} and {@code turns:} URLs, which need a user name and a credential. */
    static boolean isTurn(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("turn:") || lower.startsWith("turns:");
    }

    /** What is wrong with {@code url} as an ICE server URL, for people; null when nothing is. */
    static String problem(String url) {
        Matcher form = FORM.matcher(url);
        String scheme = form.matches() ? form.group(1).toLowerCase(Locale.ROOT) : "";
        if (!scheme.equals("stun") && !scheme.equals("stuns") && !scheme.equals("turn") && !scheme.equals("turns")) {
            return "an ICE server URL must be stun:, stuns:, turn: or turns: followed by host[:port]";
        }
        String rest = form.group(2);
        if (rest.startsWith("//")) {
            return "an ICE server URL has no // after its scheme (" + scheme + ":host:port)";
        }
        Matcher parts = HOST_PORT_QUERY.matcher(rest);
        if (!parts.matches()) {
            return "not host[:port]" + (scheme.startsWith("turn") ? "[?transport=udp|tcp]" : "") + " after " + scheme + ":";
        }
        String host = parts.group(1);
        String port = parts.group(2);
        String query = parts.group(3);
        if (host.startsWith("[")) {
            if (!isIpv6Literal(host.substring(1, host.length() - 1))) {
                return host + " is not an IPv6 address";
            }
        } else if (!HOST_NAME.matcher(host).matches() || host.length() > 253) {
            return "\"" + host + "\" is not a host name or IP address";
        }
        if (port != null && (port.isEmpty() || port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
            return "the port must be 1..65535";
        }
        if (query != null) {
            if (scheme.startsWith("stun")) {
                return scheme + ": URLs take no query (only turn: and turns: take ?transport=)";
            }
            if (!query.equals("transport=udp") && !query.equals("transport=tcp")) {
                return "the only query a TURN URL takes is ?transport=udp or ?transport=tcp";
            }
        }
        return null;
    }

    private static boolean isIpv6Literal(String text) {
        if (!text.contains(":")) {
            return false;
        }
        try {
            java.net.InetAddress.getByName("[" + text + "]"); // in brackets: parsed as a literal, never looked up
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
