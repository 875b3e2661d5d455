package io.swarmkeeper.server;

import io.swarmkeeper.geo.PublicAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Reverse proxies whose word on the client's address is taken: a connection from one of them
 * is placed by the address its {@code Forwarded} header (RFC 7239; else {@code X-Forwarded-For})
 * names; from anyone else those headers are ignored, since any client can send them. The
 * client is the rightmost address that is not itself a trusted proxy: entries to its left were
 * written by the client or by proxies nobody vouches for.
 */
final class TrustedProxies {
    /** An address block: {@code bits} leading bits of {@code network}. */
    record Cidr(byte[] network, int bits) {
        boolean contains(InetAddress address) {
            byte[] a = PublicAddress.canonical(address).getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> blocks;

    private TrustedProxies(List<Cidr> blocks) {
        this.blocks = blocks;
    }

    static final TrustedProxies NONE = new TrustedProxies(List.of());

    /**
     * Parses addresses and blocks ({@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code fd00::/8});
     * throws IllegalArgumentException naming the first that is neither.
     */
    static TrustedProxies parse(List<String> specs) {
        List<Cidr> blocks = new ArrayList<>();
        for (String spec : specs) {
            String s = spec.strip();
            int slash = s.indexOf('/');
            InetAddress address = literal(slash < 0 ? s : s.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("trusted proxy must be an IP address or CIDR block, got \"" + spec + "\"");
            }
            byte[] network = PublicAddress.canonical(address).getAddress();
            int bits = network.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException("trusted proxy \"" + spec + "\": prefix length must be 0.."
                            + network.length * 8);
                }
            }
            blocks.add(new Cidr(network, bits));
        }
        return new TrustedProxies(List.copyOf(blocks));
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    boolean trusts(InetAddress address) {
        for (Cidr block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client's address for a connection from {@code direct} whose upgrade request carried
     * these headers (each may be null): {@code direct} itself unless it is a trusted proxy that
     * named one; null when the proxy says the client's address is hidden or unknown.
     */
    InetAddress clientAddress(InetAddress direct, String forwarded, String xForwardedFor) {
        if (direct == null || !trusts(direct)) {
            return direct;
        }
        List<String> chain = forwarded != null && !forwarded.isBlank() ? forwardedFor(forwarded)
                : xForwardedFor != null && !xForwardedFor.isBlank() ? List.of(xForwardedFor.split(",")) : List.of();
        if (chain.isEmpty()) {
            return direct;
        }
        InetAddress leftmost = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            InetAddress hop = node(chain.get(i));
            if (hop == null) {
                return null; // "unknown", an obfuscated name, or garbage: no address to place
            }
            if (!trusts(hop)) {
                return hop;
            }
            leftmost = hop;
        }
        return leftmost;
    }

    /** The {@code for=} values of a Forwarded header, in order. */
    private static List<String> forwardedFor(String header) {
        List<String> values = new ArrayList<>();
        for (String element : header.split(",")) {
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                    values.add(pair.substring(eq + 1));
                }
            }
        }
        return values;
    }

    /** An address from a header's node: quotes, brackets and a port stripped; null if not a literal. */
    private static InetAddress node(String value) {
        String v = value.strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1).strip();
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                return null;
            }
            v = v.substring(1, close);
        } else if (v.indexOf(':') >= 0 && v.indexOf(':') == v.lastIndexOf(':') && v.indexOf('.') > 0) {
            v = v.substring(0, v.indexOf(':')); // IPv4 with a port
        }
        return literal(v);
    }

    /** An IP literal, never a host name (nothing is resolved); null if it is not one. */
    static InetAddress literal(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        boolean colon = text.indexOf(':') >= 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            boolean ok = ch == '.' || (ch >= '0' && ch <= '9') || (colon && (ch == ':' || Character.digit(ch, 16) >= 0));
            if (!ok) {
                return null;
            }
        }
        if (!colon && text.chars().filter(ch -> ch == '.').count() != 3) {
            return null; // "10" or "10.1" would be read as a whole number, not an address
        }
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
