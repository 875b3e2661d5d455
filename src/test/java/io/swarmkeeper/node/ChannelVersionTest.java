package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.demo.DemoOrigin;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import io.swarmkeeper.testing.RawSignalingClient;
import io.swarmkeeper.testing.SeederPeer;
import io.swarmkeeper.testing.InSwarm;
import io.swarmkeeper.transfer.TransferError;
import io.swarmkeeper.transfer.TransferMessage;
import io.swarmkeeper.transfer.TransferObserver.Direction;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeder learns the transfer protocol's version from the data channel a requester opens to it
 * (its protocol field), over a real link: it serves swarmkeeper/1 and refuses another version.
 * The requester here is a bare link steered by hand, so that it can name any version.
 */
@Timeout(60)
class ChannelVersionTest extends InSwarm {

    @Test
    void aSeederServesVersionOneAndRefusesAnotherVersionOnItsChannel() throws Exception {
        byte[] body = DemoOrigin.sampleBytes(41, 100_000);
        ResourceId id = swarm.publish("versioned.bin", body);
        SeederPeer seeder = swarm.seeder("versioned.bin");

        TransferMessage refused = firstAnswer(id, seeder, LinkConfig.withIceServers(List.of()).withChannelProtocol("swarmkeeper/2"));
        assertEquals(new TransferMessage.Error(7, TransferError.UNSUPPORTED_VERSION, "swarmkeeper/1"), refused);
        assertTrue(seeder.events().stream().noneMatch(e -> e instanceof SwarmEvent.Transfer t && t.direction() == Direction.UPLOAD),
                "nothing was served on the refused channel");

        TransferMessage served = firstAnswer(id, seeder, LinkConfig.withIceServers(List.of()));
        assertEquals(new TransferMessage.Response(7, body.length, 0, body.length), served);
    }

    /** Opens a link to the seeder as a requester would, with {@code config}, asks for {@code id}; the first answer. */
    private TransferMessage firstAnswer(ResourceId id, SeederPeer seeder, LinkConfig config) throws Exception {
        try (RawSignalingClient signaling = RawSignalingClient.welcomed(swarm.server().url(), "peer")) {
            signaling.send(MessageCodec.encode(new Message.Want(id.text(), 1)));
            JsonNode match = signaling.next("match");
            String holder = match.get("peers").get(0).get("id").asText();
            assertEquals(seeder.id(), holder);

            BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            PeerLink link = PeerLink.offer(RtcRuntime.shared(), config, holder, new PeerLink.Listener() {
                @Override
                public void onSignal(PeerLink l, ObjectNode signal) {
                    signaling.send(MessageCodec.encode(new Message.Signal(holder, null, signal)));
                }

                @Override
                public void onMessage(PeerLink l, byte[] message) {
                    received.add(message);
                }
            });
            AtomicBoolean done = new AtomicBoolean();
            Thread relay = new Thread(() -> {
                try {
                    while (!done.get()) {
                        JsonNode m = signaling.nextOrNull(100);
                        if (m != null && "signal".equals(m.path("type").asText()) && holder.equals(m.path("from").asText())) {
                            link.acceptSignal(m.get("data"));
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-signal-relay");
            relay.start();
            try {
                link.opened().get(20, TimeUnit.SECONDS);
                link.send(TransferMessage.encode(new TransferMessage.Request(7, id.text(), 0, TransferMessage.TO_END)));
                byte[] answer = received.poll(10, TimeUnit.SECONDS);
                assertNotNull(answer, "the seeder answered");
                return TransferMessage.decode(answer);
            } finally {
                done.set(true);
                relay.join(2_000);
                link.close();
            }
        }
    }
}
