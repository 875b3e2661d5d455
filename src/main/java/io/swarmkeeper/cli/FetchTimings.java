package io.swarmkeeper.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.node.SwarmEvent;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@code fetch --timings} adds to its line: when each step of the fetch happened, in
 * milliseconds since the JVM started (so the JVM's own start shows too), and the download's rate
 * between the first holder's answer and the last byte. Fed by the fetch's event stream; steps that did not happen
 * (no peer, say) are left out.
 */
final class FetchTimings implements Consumer<SwarmEvent> {
    private final Instant jvmStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    private final Map<String, Instant> steps = new LinkedHashMap<>();
    private SwarmEvent.LinkSetup setup;
    private Instant firstAnswer;
    private Instant lastByte;
    private long downloaded;

    /** The command began its work (options read, logging up). */
    synchronized void started() {
        steps.putIfAbsent("command", Instant.now());
    }

    @Override
    public synchronized void accept(SwarmEvent event) {
        if (event instanceof SwarmEvent.Connection c && c.connected()) {
            steps.putIfAbsent("connected", c.at());
        } else if (event instanceof SwarmEvent.LinkSetup l && setup == null) {
            setup = l;
        } else if (event instanceof SwarmEvent.Transfer t && t.direction() == Direction.DOWNLOAD) {
            if (firstAnswer == null) { // a holder's answer, sent right before its first chunk
                firstAnswer = t.at();
            }
            if (t.finished() && t.failure() == null) {
                lastByte = t.at();
                downloaded += t.doneBytes();
            }
        } else if (event instanceof SwarmEvent.HashCheck h && h.passed()) {
            steps.putIfAbsent("verified", h.at());
        }
    }

    /** The timings so far, with {@code done} now. */
    synchronized ObjectNode toJson() {
        ObjectNode out = MessageCodec.mapper().createObjectNode();
        ObjectNode since = out.putObject("msSinceJvmStart");
        steps.forEach((name, at) -> {
            if (!name.equals("verified")) {
                since.put(name, ms(Duration.between(jvmStart, at)));
            }
        });
        if (setup != null) {
            // The setup's steps count from the want; the event was published as the channel opened.
            Duration open = setup.after("channel-open");
            Instant want = open == null ? null : setup.at().minus(open);
            if (want != null) {
                since.put("want", ms(Duration.between(jvmStart, want)));
                since.put("channelOpen", ms(Duration.between(jvmStart, setup.at())));
            }
            ObjectNode link = out.putObject("linkSetupMs");
            for (SwarmEvent.LinkSetup.Step s : setup.steps()) {
                link.put(s.name(), ms(s.after()));
            }
        }
        if (firstAnswer != null) {
            since.put("firstAnswer", ms(Duration.between(jvmStart, firstAnswer)));
        }
        if (lastByte != null) {
            since.put("lastByte", ms(Duration.between(jvmStart, lastByte)));
        }
        if (steps.containsKey("verified")) {
            since.put("verified", ms(Duration.between(jvmStart, steps.get("verified"))));
        }
        since.put("done", ms(Duration.between(jvmStart, Instant.now())));
        if (firstAnswer != null && lastByte != null && lastByte.isAfter(firstAnswer)) {
            double seconds = Duration.between(firstAnswer, lastByte).toNanos() / 1e9;
            out.put("transferMBps", Math.round(downloaded / seconds / 1e5) / 10.0);
        }
        return out;
    }

    private static double ms(Duration d) {
        return Math.round(d.toNanos() / 1e5) / 10.0;
    }
}
