package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class DemandOriginTest {
    @Test
    void onlyUrlsAtOrBelowAnAcceptedPrefixAreFetched() {
        String prefix = "https://site.example/static/";
        assertTrue(SeederNode.isUnder(URI.create("https://site.example/static/a.jpg"), prefix));
        assertTrue(SeederNode.isUnder(URI.create("https://SITE.example:443/static/x/y.png"), prefix));
        assertTrue(SeederNode.isUnder(URI.create("https://site.example/anything"), "https://site.example"));
        assertFalse(SeederNode.isUnder(URI.create("https://site.example.evil.org/static/a.jpg"), "https://site.example"));
        assertFalse(SeederNode.isUnder(URI.create("http://site.example/static/a.jpg"), prefix), "another scheme");
        assertFalse(SeederNode.isUnder(URI.create("https://site.example:8443/static/a.jpg"), prefix), "another port");
        assertFalse(SeederNode.isUnder(URI.create("https://site.example/private/a.jpg"), prefix));
        assertFalse(SeederNode.isUnder(URI.create("https://site.example/static/../private/a"), prefix));
        assertFalse(SeederNode.isUnder(URI.create("https://site.example/static/.."), prefix));
        assertFalse(SeederNode.isUnder(URI.create("https://site.example/static/a.jpg"), "::not a uri::"));
    }
}
