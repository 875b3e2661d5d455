package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forwarded / X-Forwarded-For name the client only when a trusted proxy sent them. */
class TrustedProxiesTest {
    private final TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.1", "2001:db8:1::/48"));

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() throws Exception {
        InetAddress stranger = ip("198.51.100.9");
        assertEquals(stranger, proxies.clientAddress(stranger, null, "81.2.69.160"));
        assertEquals(stranger, proxies.clientAddress(stranger, "for=81.2.69.160", null));
        assertEquals(ip("11.0.0.1"), proxies.clientAddress(ip("11.0.0.1"), null, "81.2.69.160")); // just outside 10/8
        assertEquals(stranger, TrustedProxies.NONE.clientAddress(stranger, null, "81.2.69.160"));
    }

    @Test
    void aTrustedProxyNamesTheClient() throws Exception {
        assertEquals(ip("81.2.69.160"), proxies.clientAddress(ip("10.1.2.3"), null, "81.2.69.160"));
        assertEquals(ip("81.2.69.160"), proxies.clientAddress(ip("192.0.2.1"), null, " 81.2.69.160 "));
        assertEquals(ip("2a00:1450:4001::1"), proxies.clientAddress(ip("2001:db8:1:2::7"), null, "2a00:1450:4001::1"));
        assertEquals(ip("81.2.69.160"), proxies.clientAddress(ip("::ffff:10.0.0.1"), null, "81.2.69.160"));
    }

    @Test
    void theClientIsTheRightmostAddressNoTrustedProxyWrote() throws Exception {
        // The client wrote "1.2.3.4" itself; 81.2.69.160 is what the first trusted proxy saw; 10.0.0.5 a second proxy.
        assertEquals(ip("81.2.69.160"), proxies.clientAddress(ip("10.0.0.9"), null, "1.2.3.4, 81.2.69.160, 10.0.0.5"));
        // All trusted: the leftmost.
        assertEquals(ip("10.0.0.4"), proxies.clientAddress(ip("10.0.0.9"), null, "10.0.0.4, 10.0.0.5"));
    }

    @Test
    void forwardedIsPreferredAndItsFormsAreUnderstood() throws Exception {
        assertEquals(ip("81.2.69.160"), proxies.clientAddress(ip("10.0.0.9"), "for=81.2.69.160;proto=https", "1.1.1.1"));
        assertEquals(ip("2a00:1450:4001::1"),
                proxies.clientAddress(ip("10.0.0.9"), "for=\"[2a00:1450:4001::1]:4711\"", null));
        assertEquals(ip("8.8.8.8"), proxies.clientAddress(ip("10.0.0.9"), "For=\"8.8.8.8:4711\", for=10.0.0.3", null));
        assertEquals(ip("9.9.9.9"), proxies.clientAddress(ip("10.0.0.9"), "for=1.1.1.1, by=10.0.0.3;for=9.9.9.9", null));
    }

    @Test
    void aHiddenOrGarbledClientHasNoAddress() throws Exception {
        assertNull(proxies.clientAddress(ip("10.0.0.9"), "for=unknown", null));
        assertNull(proxies.clientAddress(ip("10.0.0.9"), "for=_hidden", null));
        assertNull(proxies.clientAddress(ip("10.0.0.9"), null, "example.com")); // never resolved
        assertNull(proxies.clientAddress(ip("10.0.0.9"), null, "81.2.69"));
    }

    @Test
    void noHeaderFromAProxyIsTheProxyItself() throws Exception {
        assertEquals(ip("10.0.0.9"), proxies.clientAddress(ip("10.0.0.9"), null, null));
        assertEquals(ip("10.0.0.9"), proxies.clientAddress(ip("10.0.0.9"), " ", ""));
    }

    @Test
    void badBlocksAreRefusedByName() {
        for (String bad : List.of("proxy.example.org", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129", "10.0.0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(List.of(bad)));
            assertTrue(e.getMessage().startsWith("trusted proxy"), e.getMessage());
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
