package io.swarmkeeper.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.PieceTree;
import io.swarmkeeper.content.ResourceId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the Java side against the test vectors for {@code mt256-} ids and HASHES
 * (src/test/resources/golden/transfer/merkle-vectors.json), which other implementations check
 * themselves against too: ids, piece hashes, proofs and the HASHES bytes.
 */
class MerkleVectorsGoldenTest {
    private static final HexFormat HEX = HexFormat.of();

    static Stream<Arguments> resources() throws IOException {
        JsonNode vectors = vectors();
        return StreamSupport.stream(vectors.get("resources").spliterator(), false)
                .map(r -> Arguments.of(r.get("name").asText(), r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resources")
    void idAndPieceHashesAreTheVectors(String name, JsonNode resource) throws Exception {
        byte[] data = data(resource.get("size").asInt());
        ResourceId id = ResourceId.of(HashAlgorithm.MERKLE_SHA256, data);
        assertEquals(resource.get("id").asText(), id.text());

        PieceTree tree = PieceTree.of(new ByteArrayInputStream(data), data.length);
        List<byte[]> expected = hashes(resource.get("pieceHashes"));
        assertEquals(resource.get("pieces").asInt(), tree.pieces());
        assertEquals(expected.size(), tree.pieces());
        for (int i = 0; i < tree.pieces(); i++) {
            assertEquals(HEX.formatHex(expected.get(i)), HEX.formatHex(tree.piece(i)), "piece " + i);
            // What a requester computes over the bytes it received.
            int length = PieceTree.pieceLength(data.length, i);
            byte[] piece = Arrays.copyOfRange(data, i * PieceTree.PIECE_BYTES, i * PieceTree.PIECE_BYTES + length);
            assertArrayEquals(expected.get(i), PieceTree.pieceHash(piece, length, tree.pieces() == 1), "piece " + i);
        }
        assertArrayEquals(id.digest(), tree.root());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resources")
    void proofsAndHashesMessagesAreTheVectors(String name, JsonNode resource) throws Exception {
        byte[] data = data(resource.get("size").asInt());
        PieceTree tree = PieceTree.of(new ByteArrayInputStream(data), data.length);
        List<byte[]> pieceHashes = hashes(resource.get("pieceHashes"));
        byte[] root = ResourceId.parse(resource.get("id").asText()).digest();
        for (JsonNode run : resource.get("runs")) {
            int first = run.get("firstPiece").asInt();
            int count = run.get("pieceCount").asInt();
            String where = name + ", pieces " + first + "+" + count;
            List<byte[]> expectedProof = hashes(run.get("proof"));
            List<byte[]> proof = tree.proof(first, count);
            assertEquals(hexes(expectedProof), hexes(proof), where);

            List<byte[]> runHashes = pieceHashes.subList(first, first + count);
            assertTrue(PieceTree.verify(root, tree.pieces(), first, runHashes, expectedProof), where + " verifies");
            if (!expectedProof.isEmpty()) {
                List<byte[]> shorter = new ArrayList<>(expectedProof);
                shorter.remove(shorter.size() - 1);
                assertFalse(PieceTree.verify(root, tree.pieces(), first, runHashes, shorter), where + ": one hash short");
            }

            TransferMessage.Hashes message = new TransferMessage.Hashes(7, first, runHashes, expectedProof);
            String golden = run.get("hashesMessage").asText();
            assertEquals(golden, HEX.formatHex(TransferMessage.encode(message)), where);
            TransferMessage.Hashes decoded = (TransferMessage.Hashes) TransferMessage.decode(HEX.parseHex(golden));
            assertEquals(first, decoded.firstPiece());
            assertEquals(hexes(runHashes), hexes(decoded.pieces()));
            assertEquals(hexes(expectedProof), hexes(decoded.proof()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resources")
    void proofHashesThatCoverOnlyPaddingAreThePaddingHashOfTheirLevel(String name, JsonNode resource) throws Exception {
        List<byte[]> padding = hashes(vectors().get("paddingHashes"));
        int pieces = resource.get("pieces").asInt();
        for (JsonNode run : resource.get("runs")) {
            // Replays the walk of docs/protocol.md to find each proof hash's level.
            int a = run.get("firstPiece").asInt();
            int b = a + run.get("pieceCount").asInt() - 1;
            List<byte[]> proof = hashes(run.get("proof"));
            JsonNode onlyPadding = run.get("proofCoversOnlyPadding");
            int next = 0;
            for (int level = 0, width = Integer.highestOneBit(Math.max(1, pieces - 1)) << (pieces > 1 ? 1 : 0);
                 width > 1; level++, width /= 2, a /= 2, b /= 2) {
                if (a % 2 == 1) {
                    assertFalse(onlyPadding.get(next).asBoolean(), "a left neighbour is never padding");
                    next++;
                }
                if (b % 2 == 0) {
                    boolean isPadding = ((long) (b + 1) << level) >= pieces;
                    assertEquals(isPadding, onlyPadding.get(next).asBoolean(), name + " proof " + next);
                    if (isPadding) {
                        assertArrayEquals(padding.get(level), proof.get(next), name + " proof " + next);
                    }
                    next++;
                }
            }
            assertEquals(proof.size(), next, name + ": one proof hash per neighbour");
        }
    }

    /** A Java holder's HASHES for a range are the vectors' messages, byte for byte. */
    @ParameterizedTest(name = "{0} from piece {1}")
    @org.junit.jupiter.params.provider.CsvSource({"'1 block, short',0", "2 blocks,0", "'13 pieces, the last short',8",
            "48 pieces,32"})
    void aHolderSendsTheVectorsHashesMessages(String name, int fromPiece) throws Exception {
        JsonNode resource = StreamSupport.stream(vectors().get("resources").spliterator(), false)
                .filter(r -> r.get("name").asText().equals(name)).findFirst().orElseThrow();
        byte[] data = data(resource.get("size").asInt());
        ResourceId id = ResourceId.parse(resource.get("id").asText());
        List<String> sent = new ArrayList<>();
        TransferServer holder = new TransferServer("requester", wanted -> java.util.Optional.of(new ContentSource.Content() {
            @Override
            public long size() {
                return data.length;
            }

            @Override
            public InputStream stream() {
                return new ByteArrayInputStream(data);
            }

            @Override
            public void close() {}
        }), message -> {
            if (message[0] == TransferMessage.HASHES) {
                sent.add(HEX.formatHex(message));
            }
        }, Runnable::run, TransferObserver.NONE);
        holder.onMessage(TransferMessage.encode(new TransferMessage.Request(7, id.text(),
                (long) fromPiece * PieceTree.PIECE_BYTES, TransferMessage.TO_END)));

        List<String> expected = new ArrayList<>();
        for (JsonNode run : resource.get("runs")) {
            int first = run.get("firstPiece").asInt();
            boolean holderRun = first >= fromPiece && (first - fromPiece) % 8 == 0
                    && run.get("pieceCount").asInt() == Math.min(8, resource.get("pieces").asInt() - first);
            if (holderRun) {
                expected.add(run.get("hashesMessage").asText());
            }
        }
        assertFalse(expected.isEmpty());
        assertEquals(expected, sent);
    }

    /** The vectors' resources: byte i is i mod 251. */
    static byte[] data(int size) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i % 251);
        }
        return data;
    }

    static JsonNode vectors() throws IOException {
        try (InputStream in = MerkleVectorsGoldenTest.class.getResourceAsStream("/golden/transfer/merkle-vectors.json")) {
            if (in == null) {
                throw new IOException("no merkle-vectors.json");
            }
            return new ObjectMapper().readTree(in);
        }
    }

    private static List<byte[]> hashes(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        array.forEach(h -> out.add(HEX.parseHex(h.asText())));
        return out;
    }

    private static List<String> hexes(List<byte[]> hashes) {
        return hashes.stream().map(HEX::formatHex).toList();
    }
}
