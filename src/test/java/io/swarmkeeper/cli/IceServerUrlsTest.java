package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.settings.DemandOrigins;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forms of ICE server URLs (RFC 7064, RFC 7065) and demand origins a seeder or server accepts. */
class IceServerUrlsTest {
    @Test
    void acceptsStunAndTurnUrlsAsRtcIceServerDoes() {
        for (String url : List.of("stun:stun.example.org", "stun:stun.example.org:3478", "stuns:stun.example.org:5349",
                "STUN:stun.example.org", "stun:192.0.2.1:3478", "stun:[2001:db8::1]:3478", "turn:turn.example.org",
                "turn:turn.example.org:3478?transport=udp", "turn:turn.example.org?transport=tcp",
                "turns:turn.example.org:443?transport=tcp", "stun:localhost")) {
            assertNull(IceServerUrls.problem(url), url);
        }
        assertTrue(IceServerUrls.isTurn("turns:x") && IceServerUrls.isTurn("TURN:x") && !IceServerUrls.isTurn("stun:x"));
    }

    @Test
    void refusesEverythingElse() {
        for (String url : List.of("javascript:alert(1)", "http://stun.example.org", "stun", "stun:", "stun://stun.example.org",
                "turn://turn.example.org:3478", "stun:stun.example.org:0", "stun:stun.example.org:65536", "stun:stun.example.org:",
                "stun:stun.example.org:abc", "stun:stun.example.org?transport=udp", "turn:turn.example.org?transport=sctp",
                "turn:turn.example.org/path", "turn:user@turn.example.org", "stun:[zz::1]", "stun:bad_host.example",
                "stun:-bad.example", "stun:a..b", "data:text/html,x", "")) {
            assertNotNull(IceServerUrls.problem(url), url);
        }
    }

    @Test
    void demandOriginsAreAbsoluteHttpUrlsOfAHost() {
        for (String ok : List.of("https://example.com/static/", "http://example.com", "https://example.com:8443/a/b/",
                "http://93.184.215.14/")) {
            assertNull(DemandOrigins.problem(ok, AddressPolicy.PUBLIC_ONLY), ok);
        }
        for (String bad : List.of("file:///", "ftp://example.com/", "https:///static/", "/static/", "example.com/static/",
                "https://user@example.com/", "https://example.com/static/?x=1", "https://example.com/#top",
                "https://example.com/static/../private/", "not a url", "http://10.0.0.1/", "http://[::1]/",
                "http://169.254.169.254/")) {
            assertNotNull(DemandOrigins.problem(bad, AddressPolicy.PUBLIC_ONLY), bad);
        }
        assertNull(DemandOrigins.problem("http://127.0.0.1:8080/", AddressPolicy.PRIVATE_ALLOWED),
                "a loopback origin, when the operator allows private origins");
    }
}
