package io.swarmkeeper.origin;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Function;

/**
 * Which network addresses an HTTP fetch may connect to. URLs reach a seeder from manifests,
 * from redirects and from strangers' wants (through {@code demand}); without this rule any of
 * them could make it fetch from its own machine, its LAN or a cloud metadata service
 * ({@code 169.254.169.254}). {@link #PUBLIC_ONLY} refuses a host when any of its addresses is
 * not globally reachable (loopback, private, link-local, unique-local, shared, documentation,
 * multicast, reserved, and IPv6 forms that embed such an IPv4 address); {@link #PRIVATE_ALLOWED}
 * is for an operator who says so (the demo swarm, tests, an origin on the LAN).
 *
 * <p>The check is on resolved addresses, not on the host text, and {@link HttpDownload}
 * connects to exactly the addresses checked: a name is resolved once per request, so a DNS
 * answer that changes between check and connect (DNS rebinding) changes nothing.
 */
public final class AddressPolicy {
    /** Resolves a host name (or address literal) to its addresses. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Only globally reachable addresses: the default everywhere. */
    public static final AddressPolicy PUBLIC_ONLY = new AddressPolicy(false, InetAddress::getAllByName,
            AddressPolicy::whyNotPublic);
    /** Any address, loopback and private ones included: only when the operator allows it. */
    public static final AddressPolicy PRIVATE_ALLOWED = new AddressPolicy(true, InetAddress::getAllByName,
            AddressPolicy::whyNotPublic);

    private final boolean allowPrivate;
    private final Resolver resolver;
    /** Why an address is not public; null when it is. */
    private final Function<InetAddress, String> judge;

    private AddressPolicy(boolean allowPrivate, Resolver resolver, Function<InetAddress, String> judge) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
        this.judge = judge;
    }

    /** {@link #PRIVATE_ALLOWED} when {@code allowPrivate}, else {@link #PUBLIC_ONLY}. */
    public static AddressPolicy of(boolean allowPrivate) {
        return allowPrivate ? PRIVATE_ALLOWED : PUBLIC_ONLY;
    }

    /** The same rule over another resolver; tests use it to name hosts without DNS. */
    AddressPolicy withResolver(Resolver other) {
        return new AddressPolicy(allowPrivate, other, judge);
    }

    /**
     * The same rule with another idea of which addresses are public: tests, whose servers can
     * only be on loopback, pretend one loopback address is public to follow a redirect from it.
     */
    AddressPolicy judgedBy(Function<InetAddress, String> other) {
        return new AddressPolicy(allowPrivate, resolver, other);
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /**
     * Resolves the host of {@code url} and returns the addresses a fetch may connect to, all of
     * them checked; {@code what} names the URL in messages ("origin", "manifest").
     *
     * @throws PrivateAddressException when one of them is not public and this policy refuses it
     * @throws IOException             when the host cannot be resolved
     */
    public List<InetAddress> addressesOf(URI url, String what) throws IOException {
        String host = hostOf(url);
        if (host == null) {
            throw new IOException(what + " URL " + url + " has no host");
        }
        InetAddress[] found;
        try {
            found = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new IOException(what + " " + url + ": unknown host " + host, e);
        }
        if (found == null || found.length == 0) {
            throw new IOException(what + " " + url + ": unknown host " + host);
        }
        if (!allowPrivate) {
            for (InetAddress address : found) {
                String why = judge.apply(address);
                if (why != null) {
                    String at = address.getHostAddress();
                    throw new PrivateAddressException(what + " " + url + " refused: "
                            + (host.equals(at) ? at : host + " resolves to " + at) + ", " + why
                            + "; origins on loopback, private and link-local addresses are fetched only when"
                            + " allowed (--allow-private-origins)");
                }
            }
        }
        return List.of(found);
    }

    /** The host of a URL without the brackets of an IPv6 literal; null when it has none. */
    static String hostOf(URI url) {
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            return null;
        }
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /**
     * Why {@code address} is not a public (globally reachable) address, for people: e.g.
     * "a loopback address"; null when it is public. After the IANA special-purpose address
     * registries; IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged
     * by that address.
     */
    public static String whyNotPublic(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return whyNotPublicV4(b);
        }
        if (!(address instanceof Inet6Address)) {
            return "not an IP address";
        }
        if (isZero(b, 0, 15) && b[15] == 0) {
            return "the unspecified address (::)";
        }
        if (isZero(b, 0, 15) && b[15] == 1) {
            return "a loopback address";
        }
        if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded("IPv4-mapped", b, 12);
        }
        if (isZero(b, 0, 12)) {
            return "an IPv4-compatible IPv6 address (deprecated)";
        }
        if (prefix(b, 0x00, 0x64, 0xff, 0x9b) && isZero(b, 4, 12)) {
            return embedded("NAT64", b, 12);
        }
        if (prefix(b, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01)) {
            return "a local-use NAT64 address (64:ff9b:1::/48)";
        }
        if (prefix(b, 0x01, 0x00) && isZero(b, 2, 8)) {
            return "a discard-only address (100::/64)";
        }
        if (prefix(b, 0x20, 0x01, 0x0d, 0xb8) || ((b[0] & 0xff) == 0x3f && (b[1] & 0xf0) == 0xf0)) {
            return "a documentation address";
        }
        if (prefix(b, 0x20, 0x01) && (b[2] & 0xfe) == 0) {
            return "an IETF protocol assignment (2001::/23)";
        }
        if (prefix(b, 0x20, 0x02)) {
            return embedded("6to4", b, 2);
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return "a unique local address (fc00::/7)";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return "a link-local address (fe80::/10)";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return "a site-local address (fec0::/10, deprecated)";
        }
        if ((b[0] & 0xff) == 0xff) {
            return "a multicast address";
        }
        return null;
    }

    /** An IPv6 form that carries an IPv4 address at {@code at}: judged by that address. */
    private static String embedded(String form, byte[] b, int at) {
        byte[] v4 = {b[at], b[at + 1], b[at + 2], b[at + 3]};
        String why = whyNotPublicV4(v4);
        return why == null ? null : "an " + form + " IPv6 form of " + (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "."
                + (v4[2] & 0xff) + "." + (v4[3] & 0xff) + ", " + why;
    }

    private static String whyNotPublicV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 0) {
            return "a \"this network\" address (0.0.0.0/8)";
        }
        if (a0 == 10) {
            return "a private address (10.0.0.0/8)";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return "a shared (carrier-grade NAT) address (100.64.0.0/10)";
        }
        if (a0 == 127) {
            return "a loopback address";
        }
        if (a0 == 169 && a1 == 254) {
            return "a link-local address (169.254.0.0/16, where cloud metadata services answer)";
        }
        if (a0 == 172 && (a1 & 0xf0) == 16) {
            return "a private address (172.16.0.0/12)";
        }
        if (a0 == 192 && a1 == 0 && a2 == 0) {
            return "an IETF protocol assignment (192.0.0.0/24)";
        }
        if ((a0 == 192 && a1 == 0 && a2 == 2) || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return "a documentation address";
        }
        if (a0 == 192 && a1 == 168) {
            return "a private address (192.168.0.0/16)";
        }
        if (a0 == 198 && (a1 & 0xfe) == 18) {
            return "a benchmarking address (198.18.0.0/15)";
        }
        if (a0 >= 224 && a0 <= 239) {
            return "a multicast address";
        }
        if (a0 >= 240) {
            return "a reserved or broadcast address (240.0.0.0/4)";
        }
        return null;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean prefix(byte[] b, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if ((b[i] & 0xff) != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
