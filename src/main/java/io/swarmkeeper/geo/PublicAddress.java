package io.swarmkeeper.geo;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Which addresses can have a place at all: only globally routed ones. Loopback, private
 * (RFC 1918, IPv6 unique-local), link-local, carrier-grade NAT (100.64.0.0/10), multicast,
 * unspecified, documentation and reserved ranges have none, whatever a database says.
 * IPv4-mapped and -compatible IPv6 addresses are judged (and looked up) as the IPv4 address they carry.
 */
public final class PublicAddress {
    private PublicAddress() {}

    /** The address to look up: {@code ::ffff:a.b.c.d} as {@code a.b.c.d}, anything else as given. */
    public static InetAddress canonical(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            boolean zeros = true;
            for (int i = 0; i < 10; i++) {
                zeros &= b[i] == 0;
            }
            if (zeros && mapped) {
                try {
                    return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    throw new AssertionError(e); // four bytes are always an address
                }
            }
        }
        return address;
    }

    /** True when {@code address} is globally routed, so that a database may place it. */
    public static boolean isPublic(InetAddress address) {
        InetAddress a = canonical(address);
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (a instanceof Inet4Address) {
            return b0 != 0                                          // "this network"
                    && !(b0 == 100 && (b1 & 0xc0) == 64)            // 100.64.0.0/10, carrier-grade NAT
                    && !(b0 == 192 && b1 == 0 && (b[2] & 0xff) == 2) // 192.0.2.0/24, documentation
                    && !(b0 == 198 && (b1 & 0xfe) == 18)            // 198.18.0.0/15, benchmarking
                    && !(b0 == 198 && b1 == 51 && (b[2] & 0xff) == 100)
                    && !(b0 == 203 && b1 == 0 && (b[2] & 0xff) == 113)
                    && b0 < 240;                                    // 240.0.0.0/4 reserved, broadcast
        }
        return (b0 & 0xfe) != 0xfc                                  // fc00::/7, unique local
                && !(b0 == 0x20 && b1 == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) // 2001:db8::/32
                && (b0 & 0xe0) == 0x20;                             // 2000::/3, the only global unicast block
    }
}
