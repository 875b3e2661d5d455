package io.swarmkeeper.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which addresses count as public. Only address literals and /etc/hosts names are used here:
 * nothing is looked up in DNS and nothing is connected to.
 */
class AddressPolicyTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // a literal: parsed, never looked up
    }

    @Test
    void loopbackPrivateLinkLocalAndOtherSpecialAddressesAreNotPublic() throws Exception {
        for (String literal : List.of(
                "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "169.254.169.254", "169.254.0.1", "0.0.0.0", "0.1.2.3", "100.64.0.1", "100.127.255.255",
                "192.0.0.8", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "198.19.255.255",
                "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
                "::", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
                "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "100::1",
                "2001:db8::1", "3fff::1", "2001::1", "2002:7f00:1::1", "2002:c0a8:101::1",
                "fc00::1", "fd12:3456:789a::1", "fe80::1", "febf::1", "fec0::1", "ff02::1")) {
            assertNotNull(AddressPolicy.whyNotPublic(ip(literal)), literal + " is not public");
        }
        assertEquals("a loopback address", AddressPolicy.whyNotPublic(ip("127.0.0.1")));
        assertEquals("a link-local address (169.254.0.0/16, where cloud metadata services answer)",
                AddressPolicy.whyNotPublic(ip("169.254.169.254")));
        assertEquals("a unique local address (fc00::/7)", AddressPolicy.whyNotPublic(ip("fd00::1")));
        assertEquals("an NAT64 IPv6 form of 10.0.0.1, a private address (10.0.0.0/8)",
                AddressPolicy.whyNotPublic(ip("64:ff9b::a00:1")));
    }

    @Test
    void globallyReachableAddressesArePublic() throws Exception {
        for (String literal : List.of("1.1.1.1", "8.8.8.8", "93.184.215.14", "9.255.255.255", "11.0.0.1",
                "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "169.253.1.1", "192.167.1.1",
                "192.169.1.1", "198.17.255.255", "198.20.0.1", "223.255.255.255",
                "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "2001:4860:4860::8888",
                "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8")) {
            assertNull(AddressPolicy.whyNotPublic(ip(literal)), literal + " is public");
        }
    }

    @Test
    void theCheckIsOnResolvedAddressesNotOnTheHostText() throws Exception {
        // "localhost" is a name, not an address: what it resolves to (from /etc/hosts) is what counts.
        PrivateAddressException e = assertThrows(PrivateAddressException.class,
                () -> AddressPolicy.PUBLIC_ONLY.addressesOf(URI.create("http://localhost:8080/a.jpg"), "origin"));
        assertTrue(e.getMessage().contains("localhost resolves to 127.0.0.1, a loopback address")
                || e.getMessage().contains("localhost resolves to 0:0:0:0:0:0:0:1, a loopback address"), e.getMessage());
        assertTrue(e.getMessage().contains("--allow-private-origins"), "says how to allow it: " + e.getMessage());

        // Every spelling of one address is the same address.
        for (String url : List.of("http://2130706433/", "http://0/", "http://[::ffff:7f00:1]/",
                "http://[::1]:8080/", "http://[fe80::1]/", "http://169.254.169.254/latest/meta-data/",
                "https://10.0.0.1/", "http://[64:ff9b::7f00:1]/")) {
            assertThrows(PrivateAddressException.class,
                    () -> AddressPolicy.PUBLIC_ONLY.addressesOf(URI.create(url), "origin"), url);
        }

        // A name that resolves to several addresses is refused when any of them is private.
        AddressPolicy mixed = AddressPolicy.PUBLIC_ONLY.withResolver(host -> new InetAddress[] {ip("93.184.215.14"), ip("10.0.0.7")});
        PrivateAddressException both = assertThrows(PrivateAddressException.class,
                () -> mixed.addressesOf(URI.create("https://site.example/"), "origin"));
        assertTrue(both.getMessage().contains("site.example resolves to 10.0.0.7, a private address (10.0.0.0/8)"),
                both.getMessage());
        AddressPolicy publicOnly = AddressPolicy.PUBLIC_ONLY.withResolver(host -> new InetAddress[] {ip("93.184.215.14")});
        assertEquals(List.of(ip("93.184.215.14")), publicOnly.addressesOf(URI.create("https://site.example/"), "origin"));
    }

    @Test
    void privateAddressesPassOnlyWhenAllowed() throws IOException {
        assertEquals(List.of(ip("127.0.0.1")),
                AddressPolicy.PRIVATE_ALLOWED.addressesOf(URI.create("http://127.0.0.1:8080/x"), "origin"));
        assertEquals(List.of(ip("::1")), AddressPolicy.PRIVATE_ALLOWED.addressesOf(URI.create("http://[::1]/x"), "origin"));
        IOException noHost = assertThrows(IOException.class,
                () -> AddressPolicy.PRIVATE_ALLOWED.addressesOf(URI.create("http:/relative"), "origin"));
        assertTrue(noHost.getMessage().contains("has no host"), noHost.getMessage());
        assertEquals(AddressPolicy.PRIVATE_ALLOWED, AddressPolicy.of(true));
        assertEquals(AddressPolicy.PUBLIC_ONLY, AddressPolicy.of(false));
    }
}
