package io.swarmkeeper.node;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event stream as log lines, one per event, for a headless node: connections, links,
 * transfers as they start and end (not their progress, which is the window's business), hash
 * checks, distrusted peers, what enters or leaves the store (and what is fetched again), and
 * manifests read. Each line starts with the node that observed it (its id, or its label before it
 * has one). Failures at WARN, the rest at INFO; logger {@code io.swarmkeeper.events}.
 */
public final class EventLog implements Consumer<SwarmEvent> {
    private static final Logger log = LoggerFactory.getLogger("io.swarmkeeper.events");

    @Override
    public void accept(SwarmEvent event) {
        String n = event.node();
        if (event instanceof SwarmEvent.Connection c) {
            log.info("{}: signaling {} {}{}", n, c.connected() ? "connected to" : "lost", c.server(),
                    c.peerId() == null ? "" : " as " + c.peerId());
        } else if (event instanceof SwarmEvent.SignalingRetry r) {
            log.warn("{}: signaling {}: {}; next try at {}", n, r.server(), r.reason(), r.retryAt());
        } else if (event instanceof SwarmEvent.PeerLinked p) {
            log.info("{}: peer {} linked ({}{}{}{}{})", n, p.peerId(), p.weOffered() ? "we offered" : "it offered",
                    p.role() == null ? "" : "; " + p.role().wireName(),
                    p.matchReason() == null ? "" : "; matched: " + p.matchReason(),
                    p.place() == null || p.place().label() == null ? "" : "; in " + p.place().label(),
                    p.roundTrip() == null ? "" : "; round trip " + p.roundTrip().toMillis() + " ms");
        } else if (event instanceof SwarmEvent.LinkSetup l) {
            if (log.isDebugEnabled()) {
                StringBuilder steps = new StringBuilder();
                for (SwarmEvent.LinkSetup.Step s : l.steps()) {
                    steps.append(steps.length() == 0 ? "" : ", ").append(s.name()).append(' ')
                            .append(s.after().toNanos() / 1_000_000.0).append(" ms");
                }
                log.debug("{}: link to {} set up: {}", n, l.peerId(), steps);
            }
        } else if (event instanceof SwarmEvent.RoundTrip r) {
            log.info("{}: peer {} answers in {} ms", n, r.peerId(), r.roundTrip().toMillis());
        } else if (event instanceof SwarmEvent.PeerUnlinked p) {
            log.info("{}: peer {} unlinked: {}", n, p.peerId(), p.reason());
        } else if (event instanceof SwarmEvent.Transfer t) {
            if (t.finished() && t.failure() == null) {
                log.info("{}: {} {} {} peer {}: {} bytes", n, t.direction().name().toLowerCase(java.util.Locale.ROOT),
                        "done", t.id().shortForm(), t.peerId(), t.doneBytes());
            } else if (t.finished()) {
                log.warn("{}: {} {} with peer {} failed after {} bytes: {}", n,
                        t.direction().name().toLowerCase(java.util.Locale.ROOT), t.id().shortForm(), t.peerId(),
                        t.doneBytes(), t.failure());
            }
        } else if (event instanceof SwarmEvent.HashCheck h) {
            if (h.passed()) {
                log.info("{}: hash check passed: {} from {}", n, h.id().shortForm(), h.source());
            } else {
                log.warn("{}: hash check FAILED: {} from {}: {}", n, h.id().text(), h.source(), h.detail());
            }
        } else if (event instanceof SwarmEvent.PeerDistrusted d) {
            log.warn("{}: peer {} distrusted: {}", n, d.peerId(), d.reason());
        } else if (event instanceof SwarmEvent.Holding h) {
            log.info("{}: holding {} ({} bytes)", n, h.id().shortForm(), h.size());
        } else if (event instanceof SwarmEvent.Dropped d) {
            log.info("{}: dropped {} ({} bytes): {}", n, d.id().shortForm(), d.size(), d.why());
        } else if (event instanceof SwarmEvent.Withdrawn w) {
            log.info("{}: no longer announcing {} ({}); kept until evicted", n, w.id().shortForm(), w.why());
        } else if (event instanceof SwarmEvent.ManifestRead m) {
            if (m.failure() == null) {
                log.info("{}: manifest {}: {} resources, {} added, {} removed", n, m.source(), m.resources(), m.added(),
                        m.removed());
            } else {
                log.warn("{}: manifest {} could not be read again ({}); keeping the last good one ({} resources)", n,
                        m.source(), m.failure(), m.resources());
            }
        } else if (event instanceof SwarmEvent.DiskSpace d) {
            if (d.full()) {
                log.warn("{}: store disk full ({}): fetching nothing new, still serving what is stored", n, d.detail());
            } else {
                log.info("{}: store disk has room again ({}): fetching resumes", n, d.detail());
            }
        } else if (event instanceof SwarmEvent.Refetching r) {
            if (r.attempt() == 0) {
                log.info("{}: fetching {} again ({}) at {}", n, r.id().shortForm(), r.why(), r.nextTry());
            } else {
                log.warn("{}: could not fetch {} again (try {}): {}; next try at {}", n, r.id().shortForm(), r.attempt(),
                        r.why(), r.nextTry());
            }
        }
    }
}
