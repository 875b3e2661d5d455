package io.swarmkeeper.node;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event stream as log lines, one per event, for a headless node: connections, links,
 * transfers as they start and end (not their progress, which is the window's business), hash
 * checks, distrusted peers, and what enters or leaves the store (and what is fetched again). Failures at WARN, the rest at
 * INFO; logger {@code io.swarmkeeper.events}.
 */
public final class EventLog implements Consumer<SwarmEvent> {
    private static final Logger log = LoggerFactory.getLogger("io.swarmkeeper.events");

    @Override
    public void accept(SwarmEvent event) {
        if (event instanceof SwarmEvent.Connection c) {
            log.info("signaling {} {}{}", c.connected() ? "connected to" : "lost", c.server(),
                    c.peerId() == null ? "" : " as " + c.peerId());
        } else if (event instanceof SwarmEvent.SignalingRetry r) {
            log.warn("signaling {}: {}; next try at {}", r.server(), r.reason(), r.retryAt());
        } else if (event instanceof SwarmEvent.PeerLinked p) {
            log.info("peer {} linked ({}{})", p.peerId(), p.weOffered() ? "we offered" : "it offered",
                    p.matchReason() == null ? "" : "; matched: " + p.matchReason());
        } else if (event instanceof SwarmEvent.PeerUnlinked p) {
            log.info("peer {} unlinked: {}", p.peerId(), p.reason());
        } else if (event instanceof SwarmEvent.Transfer t) {
            if (t.finished() && t.failure() == null) {
                log.info("{} {} {} peer {}: {} bytes", t.direction().name().toLowerCase(java.util.Locale.ROOT),
                        "done", t.id().shortForm(), t.peerId(), t.doneBytes());
            } else if (t.finished()) {
                log.warn("{} {} with peer {} failed after {} bytes: {}", t.direction().name().toLowerCase(java.util.Locale.ROOT),
                        t.id().shortForm(), t.peerId(), t.doneBytes(), t.failure());
            }
        } else if (event instanceof SwarmEvent.HashCheck h) {
            if (h.passed()) {
                log.info("hash check passed: {} from {}", h.id().shortForm(), h.source());
            } else {
                log.warn("hash check FAILED: {} from {}: {}", h.id().text(), h.source(), h.detail());
            }
        } else if (event instanceof SwarmEvent.PeerDistrusted d) {
            log.warn("peer {} distrusted: {}", d.peerId(), d.reason());
        } else if (event instanceof SwarmEvent.Holding h) {
            log.info("holding {} ({} bytes)", h.id().shortForm(), h.size());
        } else if (event instanceof SwarmEvent.Dropped d) {
            log.info("dropped {} ({} bytes): {}", d.id().shortForm(), d.size(), d.why());
        } else if (event instanceof SwarmEvent.DiskSpace d) {
            if (d.full()) {
                log.warn("store disk full ({}): fetching nothing new, still serving what is stored", d.detail());
            } else {
                log.info("store disk has room again ({}): fetching resumes", d.detail());
            }
        } else if (event instanceof SwarmEvent.Refetching r) {
            if (r.attempt() == 0) {
                log.info("fetching {} again ({}) at {}", r.id().shortForm(), r.why(), r.nextTry());
            } else {
                log.warn("could not fetch {} again (try {}): {}; next try at {}", r.id().shortForm(), r.attempt(),
                        r.why(), r.nextTry());
            }
        }
    }
}
