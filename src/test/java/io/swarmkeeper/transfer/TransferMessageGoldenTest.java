package io.swarmkeeper.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pins the binary transfer messages to their documented bytes (src/test/resources/golden/transfer). */
class TransferMessageGoldenTest {
    private static final String HASH = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";

    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of("request", new TransferMessage.Request(7, HASH, 0, TransferMessage.TO_END)),
                Arguments.of("response", new TransferMessage.Response(7, 3, 0, 3)),
                Arguments.of("chunk", new TransferMessage.Chunk(7, 0, "abc".getBytes(StandardCharsets.US_ASCII))),
                Arguments.of("end", new TransferMessage.End(7)),
                Arguments.of("not-found", new TransferMessage.NotFound(7)),
                Arguments.of("error", new TransferMessage.Error(7, TransferError.BUSY, "no free upload slot")),
                Arguments.of("error-unsupported-version", new TransferMessage.Error(7, TransferError.UNSUPPORTED_VERSION,
                        TransferVersion.CHANNEL_PROTOCOL)),
                Arguments.of("cancel", new TransferMessage.Cancel(7)),
                Arguments.of("hashes", new TransferMessage.Hashes(7, 2,
                        java.util.List.of(filled(0x11), filled(0x22)), java.util.List.of(filled(0x33)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encodesToGolden(String name, TransferMessage message) throws IOException {
        assertEquals(golden(name), HexFormat.of().formatHex(TransferMessage.encode(message)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void decodesGolden(String name, TransferMessage message) throws Exception {
        TransferMessage decoded = TransferMessage.decode(HexFormat.of().parseHex(golden(name)));
        if (message instanceof TransferMessage.Hashes) {
            assertInstanceOf(TransferMessage.Hashes.class, decoded);
            assertArrayEquals(TransferMessage.encode(message), TransferMessage.encode(decoded));
        } else if (message instanceof TransferMessage.Chunk chunk) {
            TransferMessage.Chunk got = assertInstanceOf(TransferMessage.Chunk.class, decoded);
            assertEquals(chunk.offset(), got.offset());
            assertArrayEquals(chunk.data(), got.data());
        } else {
            assertEquals(message, decoded);
        }
    }

    @Test
    void refusesMalformedMessages() {
        assertThrows(TransferProtocolException.class, () -> TransferMessage.decode(new byte[0]));
        assertThrows(TransferProtocolException.class, () -> TransferMessage.decode(new byte[] {0x04, 0, 0}));
        assertThrows(TransferProtocolException.class, () -> TransferMessage.decode(new byte[] {0x7f, 0, 0, 0, 1}));
        assertThrows(TransferProtocolException.class, () -> TransferMessage.decode(new byte[] {0x04, 0, 0, 0, 1, 9}));
        // A response whose range lies outside the resource.
        byte[] response = TransferMessage.encode(new TransferMessage.Response(1, 10, 5, 5));
        response[response.length - 1] = 6;
        TransferProtocolException e = assertThrows(TransferProtocolException.class, () -> TransferMessage.decode(response));
        assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
        assertThrows(TransferProtocolException.class,
                () -> TransferMessage.decode(new byte[TransferMessage.MAX_MESSAGE_BYTES + 1]));
    }

    @Test
    void chunksNeverExceed64KiB() {
        assertThrows(IllegalArgumentException.class,
                () -> TransferMessage.encode(new TransferMessage.Chunk(1, 0, new byte[TransferMessage.MAX_CHUNK_BYTES + 1])));
        byte[] full = TransferMessage.encode(new TransferMessage.Chunk(1, 0, new byte[TransferMessage.MAX_CHUNK_BYTES]));
        assertTrue(full.length <= TransferMessage.MAX_MESSAGE_BYTES);
    }

    /** A holder writes a chunk's header and reads its payload in behind it: the same bytes as the golden chunk. */
    @Test
    void chunkBuiltInPlaceIsTheGoldenChunk() throws Exception {
        java.nio.ByteBuffer message = java.nio.ByteBuffer.allocateDirect(TransferMessage.CHUNK_HEADER_BYTES + 64);
        TransferMessage.putChunkHeader(message, 7, 0).put("abc".getBytes(StandardCharsets.US_ASCII)).flip();
        byte[] wire = new byte[message.remaining()];
        message.get(wire);
        assertEquals(golden("chunk"), HexFormat.of().formatHex(wire));
    }

    /** A decoded chunk points into the message it came in (no copy of its payload); data() copies only a slice. */
    @Test
    void decodedChunkIsASliceOfItsMessage() throws Exception {
        byte[] wire = HexFormat.of().parseHex(golden("chunk"));
        TransferMessage.Chunk chunk = assertInstanceOf(TransferMessage.Chunk.class, TransferMessage.decode(wire));
        assertTrue(chunk.array() == wire, "the payload was copied out of the message");
        assertEquals(TransferMessage.CHUNK_HEADER_BYTES, chunk.from());
        assertEquals(3, chunk.length());
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), chunk.data());
        assertThrows(IndexOutOfBoundsException.class, () -> new TransferMessage.Chunk(1, 0, wire, 10, wire.length));
    }

    static String golden(String name) throws IOException {
        try (InputStream in = TransferMessageGoldenTest.class.getResourceAsStream("/golden/transfer/" + name + ".hex")) {
            if (in == null) {
                throw new IOException("no golden file for " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s+", "");
        }
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
