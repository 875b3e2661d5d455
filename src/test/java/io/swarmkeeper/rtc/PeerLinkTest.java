package io.swarmkeeper.rtc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.testing.TestNetwork;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two real links wired to each other directly, signalling with simple-peer objects, trickled or not. */
@Timeout(60)
class PeerLinkTest {
    @BeforeEach
    void network() {
        TestNetwork.requireIsolatedOrAllowed();
    }

    /** What one side sent the other, and the bytes it received. */
    private static final class Side {
        final List<ObjectNode> signals = new CopyOnWriteArrayList<>();
        final CompletableFuture<byte[]> received = new CompletableFuture<>();
        PeerLink link;
    }

    private static Side[] connect(LinkConfig offerer, LinkConfig answerer) {
        Side a = new Side();
        Side b = new Side();
        AtomicReference<PeerLink> toA = new AtomicReference<>();
        AtomicReference<PeerLink> toB = new AtomicReference<>();
        b.link = PeerLink.answer(RtcRuntime.shared(), answerer, "a", new PeerLink.Listener() {
            @Override
            public void onSignal(PeerLink link, ObjectNode signal) {
                b.signals.add(signal);
                toA.get().acceptSignal(signal);
            }

            @Override
            public void onMessage(PeerLink link, byte[] message) {
                b.received.complete(message);
            }
        });
        toB.set(b.link);
        a.link = PeerLink.offer(RtcRuntime.shared(), offerer, "b", new PeerLink.Listener() {
            @Override
            public void onSignal(PeerLink link, ObjectNode signal) {
                a.signals.add(signal);
                toB.get().acceptSignal(signal);
            }

            @Override
            public void onMessage(PeerLink link, byte[] message) {
                a.received.complete(message);
            }
        });
        toA.set(a.link);
        return new Side[] {a, b};
    }

    private static void exchange(Side[] sides) throws Exception {
        Side a = sides[0];
        Side b = sides[1];
        try {
            a.link.opened().get(20, TimeUnit.SECONDS);
            b.link.opened().get(20, TimeUnit.SECONDS);
            a.link.send(new byte[] {1, 2, 3});
            b.link.send(new byte[] {4, 5});
            assertArrayEquals(new byte[] {1, 2, 3}, b.received.get(10, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {4, 5}, a.received.get(10, TimeUnit.SECONDS));
        } finally {
            a.link.close();
            b.link.close();
        }
    }

    private static long candidates(Side side) {
        return side.signals.stream().filter(s -> "candidate".equals(s.path("type").asText())).count();
    }

    private static ObjectNode description(Side side) {
        return side.signals.stream().filter(s -> s.has("sdp")).findFirst().orElseThrow();
    }

    @Test
    void trickledCandidatesConnect() throws Exception {
        LinkConfig trickle = LinkConfig.withIceServers(List.of());
        Side[] sides = connect(trickle, trickle);
        exchange(sides);
        assertTrue(candidates(sides[0]) > 0 && candidates(sides[1]) > 0, "candidates went one by one");
    }

    @Test
    void withoutTrickleOneOfferAndOneAnswerCarryEveryCandidate() throws Exception {
        LinkConfig whole = LinkConfig.withIceServers(List.of()).withTrickle(false);
        Side[] sides = connect(whole, whole);
        exchange(sides);
        for (Side side : sides) {
            assertEquals(0, candidates(side), "no trickled candidates: " + side.signals);
            assertEquals(1, side.signals.size(), "one signal each: " + side.signals);
            assertTrue(description(side).get("sdp").asText().contains("a=candidate:"), "the candidates are in the SDP");
        }
        assertEquals("offer", description(sides[0]).get("type").asText());
        assertEquals("answer", description(sides[1]).get("type").asText());
    }

    @Test
    void aTricklingPeerAndAWholeDescriptionPeerUnderstandEachOther() throws Exception {
        LinkConfig trickle = LinkConfig.withIceServers(List.of());
        exchange(connect(trickle, trickle.withTrickle(false)));
        exchange(connect(trickle.withTrickle(false), trickle));
    }

    /** The offering side names the transfer protocol's version in the channel's protocol field; the answering side reads it. */
    @Test
    void theChannelCarriesTheTransferProtocolVersion() throws Exception {
        LinkConfig config = LinkConfig.withIceServers(List.of());
        Side[] sides = connect(config, config);
        sides[0].link.opened().get(20, TimeUnit.SECONDS);
        sides[1].link.opened().get(20, TimeUnit.SECONDS);
        assertEquals("swarmkeeper/1", sides[0].link.channelProtocol());
        assertEquals("swarmkeeper/1", sides[1].link.channelProtocol(), "the answering side learns it when the channel opens");
        exchange(sides);

        Side[] later = connect(config.withChannelProtocol("swarmkeeper/2"), config);
        later[1].link.opened().get(20, TimeUnit.SECONDS);
        assertEquals("swarmkeeper/2", later[1].link.channelProtocol(), "the offerer's name, not the answerer's");
        exchange(later);
    }

    /** Both ends know the connection's round-trip time from libwebrtc's statistics once the link is open. */
    @Test
    void anOpenLinkKnowsItsRoundTripTime() throws Exception {
        LinkConfig config = LinkConfig.withIceServers(List.of());
        Side[] sides = connect(config, config);
        try {
            for (Side side : sides) {
                side.link.opened().get(20, TimeUnit.SECONDS);
                Duration rtt = side.link.roundTrip().get(5, TimeUnit.SECONDS);
                assertTrue(rtt != null && !rtt.isNegative() && rtt.compareTo(Duration.ofSeconds(1)) < 0,
                        "measured within the namespace: " + rtt);
            }
        } finally {
            sides[0].link.close();
            sides[1].link.close();
        }
        assertEquals(null, sides[0].link.roundTrip().get(5, TimeUnit.SECONDS), "a closed link measures nothing");
    }

    @Test
    void aLinkNobodyAnswersClosesAtItsTimeout() throws Exception {
        LinkConfig quick = new LinkConfig(List.of(), Duration.ofSeconds(1), Duration.ofSeconds(30), true);
        CompletableFuture<String> closed = new CompletableFuture<>();
        PeerLink lonely = PeerLink.offer(RtcRuntime.shared(), quick, "nobody", new PeerLink.Listener() {
            @Override
            public void onSignal(PeerLink link, ObjectNode signal) {
            }

            @Override
            public void onMessage(PeerLink link, byte[] message) {
            }

            @Override
            public void onClosed(PeerLink link, String reason) {
                closed.complete(reason);
            }
        });
        assertEquals("no connection within 1 s", closed.get(10, TimeUnit.SECONDS));
        assertTrue(lonely.isClosed());
    }

    @Test
    void aFactoryIsReplacedAfterItsConnectionsAndDisposedOnceTheyAreClosedAndFreed() throws Exception {
        LinkConfig trickle = LinkConfig.withIceServers(List.of());
        long disposedBefore = RtcRuntime.disposedCount();
        long previous = RtcRuntime.connectionsPerFactory(3);
        try {
            RtcRuntime first = RtcRuntime.shared();
            Side[] open = connect(trickle, trickle); // connections 1 and 2 of the first factory
            open[0].link.opened().get(20, TimeUnit.SECONDS);
            // Connection 3 retires the first factory; its partner is the next factory's first:
            // links made by two factories talk, and the first factory's links keep working.
            exchange(connect(trickle, trickle));
            assertTrue(RtcRuntime.shared() != first, "new connections use a new factory");
            open[0].link.send(new byte[] {7});
            assertArrayEquals(new byte[] {7}, open[1].received.get(10, TimeUnit.SECONDS));
            assertEquals(disposedBefore, RtcRuntime.disposedCount(), "not disposed while its links are open");
            open[0].link.close();
            open[1].link.close();
            for (int i = 0; i < 3; i++) { // more replacements, each disposed when its last link goes
                exchange(connect(trickle, trickle));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (RtcRuntime.disposedCount() - disposedBefore < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(RtcRuntime.disposedCount() - disposedBefore >= 3,
                    "retired factories disposed: " + (RtcRuntime.disposedCount() - disposedBefore));
            exchange(connect(trickle, trickle)); // and the current one still links
        } finally {
            RtcRuntime.connectionsPerFactory(previous);
        }
    }
}
