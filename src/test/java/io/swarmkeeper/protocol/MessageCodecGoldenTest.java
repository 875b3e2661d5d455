package io.swarmkeeper.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pins every signaling message to its documented wire form (src/test/resources/golden/signaling). */
class MessageCodecGoldenTest {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";

    static Stream<Arguments> messages() throws IOException {
        JsonNode offer = MessageCodec.mapper().readTree("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}");
        JsonNode candidate = MessageCodec.mapper().readTree("{\"type\":\"candidate\",\"candidate\":{\"candidate\":"
                + "\"candidate:1 1 udp 2122260223 10.77.0.1 50123 typ host\",\"sdpMLineIndex\":0,\"sdpMid\":\"0\"}}");
        return Stream.of(
                Arguments.of("hello", new Message.Hello(1, PeerRole.SEEDER)),
                Arguments.of("hello-resume", new Message.Hello(1, PeerRole.BROWSER,
                        new Message.Coordinates(51.5072, -0.1276, 35.0), "Zm9vYmFyYmF6cXV4MTIzNDU2")),
                Arguments.of("welcome", new Message.Welcome("k3v9q2mx7a", "Zm9vYmFyYmF6cXV4MTIzNDU2", false, List.of(),
                        new Message.Limits(65536, 1000, 50, 30, 200))),
                Arguments.of("welcome-ice", new Message.Welcome("k3v9q2mx7a", "Zm9vYmFyYmF6cXV4MTIzNDU2", false, List.of(
                                new Message.IceServer(List.of("stun:stun.example.org:3478"), null, null),
                                new Message.IceServer(List.of("turns:turn.example.org?transport=tcp"), "swarm", "s3cret")),
                        new Message.Limits(65536, 1000, 50, 30, 200))),
                Arguments.of("lost", new Message.Lost(List.of(HASH))),
                Arguments.of("cancel", new Message.Cancel(HASH)),
                Arguments.of("error-overloaded", new Message.Error(ErrorCode.OVERLOADED,
                        "server is full (100000 peers); try again later", 7300L)),
                Arguments.of("have", new Message.Have(List.of(HASH))),
                Arguments.of("want", new Message.Want(HASH, 3)),
                Arguments.of("want-origin", new Message.Want(HASH, 4, "https://example.com/listing/kitchen.jpg")),
                Arguments.of("demand", new Message.Demand(HASH, "https://example.com/listing/kitchen.jpg", 5, 1)),
                Arguments.of("match", new Message.Match(HASH, List.of(new Message.PeerInfo("k3v9q2mx7a", PeerRole.SEEDER, "random")))),
                Arguments.of("match-place", new Message.Match(HASH, List.of(
                        new Message.PeerInfo("k3v9q2mx7a", PeerRole.SEEDER, "asn", new Message.Place("London", "GB")),
                        new Message.PeerInfo("w8d4h6t2zn", PeerRole.BROWSER, "distance", new Message.Place(null, "FR")),
                        new Message.PeerInfo("q5r7y3m9bc", PeerRole.PEER, "unknown")))),
                Arguments.of("signal-to", new Message.Signal("k3v9q2mx7a", null, offer)),
                Arguments.of("signal-from-place", new Message.Signal(null, "p7w2r8n4ce", offer, "city", PeerRole.BROWSER,
                        new Message.Place("Hanover", "DE"))),
                Arguments.of("signal-from", new Message.Signal(null, "p7w2r8n4ce", candidate, "random", PeerRole.BROWSER)),
                Arguments.of("peer-gone", new Message.PeerGone("k3v9q2mx7a")),
                Arguments.of("error", new Message.Error(ErrorCode.NOT_PAIRED, "not matched with peer \"k3v9q2mx7a\"")),
                Arguments.of("report", new Message.Report("k3v9q2mx7a", HASH,
                        "sent bad bytes in 524288 bytes at offset 1048576")),
                Arguments.of("served", new Message.Served("k3v9q2mx7a", HASH, 524288L)),
                Arguments.of("bye", new Message.Bye()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encodesToGolden(String name, Message message) throws IOException {
        assertEquals(golden(name), MessageCodec.encode(message));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void decodesGolden(String name, Message message) throws Exception {
        assertEquals(message, MessageCodec.decode(golden(name)));
    }

    @Test
    void preparesWhatAPeerSendsAndReceivesFirst() {
        assertDoesNotThrow(MessageCodec::prepare, "the codec reads back the hello, welcome and have it writes");
    }

    @Test
    void ignoresUnknownFields() throws Exception {
        Message decoded = MessageCodec.decode("{\"type\":\"want\",\"hash\":\"" + HASH + "\",\"future\":{\"x\":1}}");
        assertEquals(new Message.Want(HASH, null), decoded);
    }

    @Test
    void olderClientsReadAPlaceAsAnUnknownFieldAndOlderServersSendNone() throws Exception {
        // A reader that predates "place" (its PeerInfo had id, role, reason) ignores it, as unknown fields are.
        com.fasterxml.jackson.databind.JsonNode old = MessageCodec.mapper().readTree(golden("match-place"));
        assertEquals("asn", old.get("peers").get(0).get("reason").asText());
        // And a match from a server without proximity pairing decodes with no place.
        Message.Match plain = (Message.Match) MessageCodec.decode(golden("match"));
        assertEquals(null, plain.peers().get(0).place());
    }

    @Test
    void namesWhatIsWrong() {
        assertEquals(ErrorCode.BAD_JSON, codeOf("{\"type\":"));
        assertEquals(ErrorCode.BAD_MESSAGE, codeOf("[1,2]"));
        assertEquals(ErrorCode.BAD_MESSAGE, codeOf("{\"hash\":\"x\"}"));
        assertEquals(ErrorCode.UNKNOWN_TYPE, codeOf("{\"type\":\"teleport\"}"));
        assertEquals(ErrorCode.BAD_MESSAGE, codeOf("{\"type\":\"hello\",\"version\":1,\"role\":\"admin\"}"));
        assertEquals(ErrorCode.BAD_MESSAGE, codeOf("{\"type\":\"have\",\"hashes\":\"not a list\"}"));
    }

    @Test
    void typeNamesAreTheWireNames() {
        assertEquals("peer-gone", MessageCodec.typeName(new Message.PeerGone("x")));
        assertInstanceOf(Message.Bye.class, assertDoesNotFail("{\"type\":\"bye\"}"));
    }

    private static Message assertDoesNotFail(String json) {
        try {
            return MessageCodec.decode(json);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    private static String codeOf(String json) {
        return assertThrows(ProtocolException.class, () -> MessageCodec.decode(json)).code();
    }

    static String golden(String name) throws IOException {
        try (InputStream in = MessageCodecGoldenTest.class.getResourceAsStream("/golden/signaling/" + name + ".json")) {
            if (in == null) {
                throw new IOException("no golden file for " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
