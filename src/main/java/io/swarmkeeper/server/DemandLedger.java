package io.swarmkeeper.server;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.Message;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Counts wants of poorly held resources and says when one is in demand: {@link DemandTracker} for
 * a server alone, {@code cluster.RedisDemandLedger} counting the wants of every server of a
 * cluster (so that a resource wanted through several servers is told to seeders once).
 */
public interface DemandLedger {
    /** Wants count toward demand for this long. */
    long WINDOW_MILLIS = DemandTracker.WINDOW_NANOS / 1_000_000;
    /** A resource in demand is told to seeders at most once in this time. */
    long REPEAT_MILLIS = DemandTracker.REPEAT_NANOS / 1_000_000;
    /** A resource nobody wanted for this long is forgotten. */
    long FORGET_MILLIS = DemandTracker.FORGET_NANOS / 1_000_000;

    /**
     * Records a want of {@code id} from {@code asker} (its network's address) giving {@code origin}
     * (may be null), while {@code liveHolders} hold it; the demand to tell seeders, or null.
     */
    Message.Demand onWant(ResourceId id, String origin, String asker, int liveHolders);

    /** An http(s) URL with a host, not too long: the only origins demand passes on. */
    static boolean isWebUrl(String url) {
        if (url == null || url.length() > DemandTracker.MAX_ORIGIN_CHARS) {
            return false;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
