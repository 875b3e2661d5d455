package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.SignalingClient;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.testing.Poll;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The Java client keeps under the server's message rate, so a busy peer's messages wait instead of being dropped. */
class ClientPacingTest extends RunningServer {
    @Test
    void aClientThatSendsFasterThanTheServerAllowsLosesNothing() throws Exception {
        start(ServerConfig.builder().messagesPerSecond(20).messageBurst(20));
        List<Message> heard = new CopyOnWriteArrayList<>();
        SignalingClient.Listener listener = new SignalingClient.Listener() {
            @Override
            public void onMessage(Message message) {
                heard.add(message);
            }
        };
        try (SignalingClient client = SignalingClient.connect(URI.create(server.url()), PeerRole.SEEDER, listener,
                Duration.ofSeconds(5))) {
            for (int i = 0; i < 45; i++) {
                client.send(new Message.Have(List.of(ResourceId.of(new byte[] {(byte) i}).text())));
            }
            Poll.until(Duration.ofSeconds(10), "all 45 announcements", () -> {
                for (int i = 0; i < 45; i++) {
                    if (!server.holds(client.id(), ResourceId.of(new byte[] {(byte) i}))) {
                        return false;
                    }
                }
                return true;
            });
            assertTrue(heard.stream().noneMatch(m -> m instanceof Message.Error), "no rate-limited errors: " + heard);
            assertEquals(45, (int) java.util.stream.IntStream.range(0, 45)
                    .filter(i -> server.holds(client.id(), ResourceId.of(new byte[] {(byte) i}))).count());
        }
    }
}
