package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.ErrorCode;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.testing.RawSignalingClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that refuses a connection sends an {@code error}, then closes. Java-WebSocket delivers
 * the handshake, that message and the close on its read thread while the connecting thread races
 * it (waiting for the open, sending hello): whatever the interleaving, the client must surface the
 * server's code and message, never only "closed the connection". Each case runs many quick
 * connections, since a given interleaving shows up only now and then.
 */
@Timeout(120)
class ServerRefusalTest {
    private static final int ATTEMPTS = 50;

    @TempDir
    Path dir;

    private static SignalingServer server(UnaryOperator<ServerConfig.Builder> refusing) {
        return new SignalingServer(refusing.apply(ServerConfig.loopback(0).toBuilder()).build()).start();
    }

    /** Connects {@link #ATTEMPTS} times; returns every failure's message (each attempt must fail). */
    private static List<String> refusals(SignalingServer server) {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < ATTEMPTS; i++) {
            IOException e = assertThrows(IOException.class, () -> SignalingClient.connect(URI.create(server.url()),
                    PeerRole.PEER, message -> { }, Duration.ofSeconds(5)));
            messages.add(e.getMessage());
        }
        return messages;
    }

    private static void assertEveryOneSays(List<String> messages, String... parts) {
        List<String> without = messages.stream()
                .filter(m -> !java.util.Arrays.stream(parts).allMatch(m::contains)).toList();
        assertTrue(without.isEmpty(), without.size() + " of " + messages.size() + " refusals lost the server's reason "
                + List.of(parts) + ", e.g. " + without.stream().limit(3).toList());
    }

    @Test
    void aServerThatWantsATokenIsNamedEveryTime() {
        try (SignalingServer server = server(b -> b.peerTokens(Set.of(TOKEN)))) {
            assertEveryOneSays(refusals(server), ErrorCode.TOKEN_REQUIRED, "only with a token");
        }
    }

    private static final String TOKEN = "a-token-this-client-lacks";

    @Test
    void aClientWithTheTokenIsAdmittedAsSeeder() throws Exception {
        try (SignalingServer server = server(b -> b.peerTokens(Set.of(TOKEN)));
             SignalingClient client = SignalingClient.connect(URI.create(server.url()), PeerRole.SEEDER, message -> { },
                     SignalingClient.Options.once().withToken(TOKEN))) {
            assertTrue(client.isConnected());
        }
    }

    @Test
    void tooManyConnectionsFromOneAddressIsNamedEveryTime() throws Exception {
        try (SignalingServer server = server(b -> b.maxConnectionsPerAddress(1));
             RawSignalingClient first = RawSignalingClient.welcomed(server.url(), "peer")) { // takes the one place
            assertEveryOneSays(refusals(server), ErrorCode.TOO_MANY_CONNECTIONS, "connections from one address");
        }
    }

    @Test
    void aFullServerIsNamedEveryTimeWithItsRetryHint() throws Exception {
        try (SignalingServer server = server(b -> b.maxPeers(1).retryAfterMs(10));
             RawSignalingClient first = RawSignalingClient.welcomed(server.url(), "peer")) { // fills it
            assertEveryOneSays(refusals(server), ErrorCode.OVERLOADED, "server is full", "retry after");
        }
    }

    @Test
    void aFetchAgainstARefusingServerReportsTheReasonEveryTime() throws Exception {
        ResourceId id = ResourceId.of("wanted".getBytes());
        try (SignalingServer server = server(b -> b.peerTokens(Set.of(TOKEN)))) {
            for (int i = 0; i < ATTEMPTS; i++) {
                try (Fetcher fetcher = new Fetcher(URI.create(server.url()), dir, Fetcher.Options.defaults(), new SwarmEvents())) {
                    FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(id, null));
                    assertTrue(e.getMessage().contains(ErrorCode.TOKEN_REQUIRED)
                            && e.getMessage().contains("only with a token"), "attempt " + i + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void aServerThatIsNotThereIsStillSaidPlainly() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> SignalingClient.connect(URI.create("ws://127.0.0.1:" + port),
                PeerRole.PEER, message -> { }, Duration.ofSeconds(5)));
        assertEquals("cannot reach signaling server ws://127.0.0.1:" + port, e.getMessage());
    }
}
