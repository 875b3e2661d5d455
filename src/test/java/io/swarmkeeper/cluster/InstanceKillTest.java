package io.swarmkeeper.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.SignalingClient;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.testing.Poll;
import io.swarmkeeper.testing.RedisProcess;
import io.swarmkeeper.testing.SwarmkeeperProcess;
import io.swarmkeeper.testing.TcpBalancer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three `server --redis` processes behind a plain TCP balancer; one is killed (SIGKILL). Its peers,
 * real SignalingClients, come back through the balancer to the others, get their ids back and are
 * matched again.
 */
@Timeout(90)
class InstanceKillTest {
    private static final String HASH = ResourceId.of("survives".getBytes(StandardCharsets.UTF_8)).text();

    /** A peer as the seeder is one: reconnects for ever, announces what it holds on every welcome. */
    private static final class Peer implements SignalingClient.Listener {
        final List<Message.Welcome> welcomes = new CopyOnWriteArrayList<>();
        final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
        final boolean holds;

        Peer(boolean holds) {
            this.holds = holds;
        }

        @Override
        public void onWelcome(SignalingClient client, Message.Welcome welcome) {
            welcomes.add(welcome);
            if (holds) {
                client.send(new Message.Have(List.of(HASH)));
            }
        }

        @Override
        public void onMessage(Message message) {
            received.add(message);
        }

        String id() {
            return welcomes.get(welcomes.size() - 1).id();
        }
    }

    @Test
    void thePeersOfAKilledServerComeBackThroughTheBalancerWithTheirIds() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            SwarmkeeperProcess first = SwarmkeeperProcess.start("server", "--host", "127.0.0.1", "--port", "0",
                    "--redis", redis.url(), "--retry-after-ms", "200");
            SwarmkeeperProcess second = SwarmkeeperProcess.start("server", "--host", "127.0.0.1", "--port", "0",
                    "--redis", redis.url(), "--retry-after-ms", "200");
            SwarmkeeperProcess third = SwarmkeeperProcess.start("server", "--host", "127.0.0.1", "--port", "0",
                    "--redis", redis.url(), "--retry-after-ms", "200");
            try {
                int firstPort = port(first.awaitStdout("ws://127.0.0.1:"));
                int secondPort = port(second.awaitStdout("ws://127.0.0.1:"));
                int thirdPort = port(third.awaitStdout("ws://127.0.0.1:"));
                try (TcpBalancer balancer = TcpBalancer.start(List.of(firstPort, secondPort, thirdPort))) {
                    URI through = URI.create("ws://127.0.0.1:" + balancer.port());
                    SignalingClient.Options options = SignalingClient.Options.persistent()
                            .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
                    Peer holder = new Peer(true);
                    Peer asker = new Peer(false);
                    // The balancer takes turns: the holder lands on the first server, the asker on the second.
                    try (SignalingClient holderClient = SignalingClient.connect(through, PeerRole.SEEDER, holder, options);
                         SignalingClient askerClient = SignalingClient.connect(through, PeerRole.PEER, asker, options)) {
                        String holderId = holder.id();
                        Poll.until(Duration.ofSeconds(10), "the holder matched through the other server",
                                () -> matched(askerClient, asker, holderId));

                        first.kill();
                        Poll.until(Duration.ofSeconds(30), "the holder back, on another server, with its id", () ->
                                holder.welcomes.size() >= 2 && holder.welcomes.get(holder.welcomes.size() - 1).resumed());
                        assertEquals(holderId, holder.id(), "the same id after its server died");
                        asker.received.clear();
                        Poll.until(Duration.ofSeconds(10), "the holder matched again", () -> matched(askerClient, asker, holderId));
                        assertTrue(asker.welcomes.size() == 1, "the asker's server lived: it stayed connected");
                    }
                }
            } finally {
                first.stop();
                second.stop();
                third.stop();
            }
        }
    }

    /** Asks for the resource once; true when the match offers {@code holderId}. */
    private static boolean matched(SignalingClient client, Peer asker, String holderId) {
        client.send(new Message.Want(HASH, 1));
        try {
            for (Message m; (m = asker.received.poll(500, TimeUnit.MILLISECONDS)) != null; ) {
                if (m instanceof Message.Match match) {
                    return !match.peers().isEmpty() && match.peers().get(0).id().equals(holderId);
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int port(String line) {
        return URI.create(line.replaceAll(".*(ws://\\S+).*", "$1")).getPort();
    }
}
