package io.swarmkeeper.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PieceTreeTest {
    private static final int PIECE = PieceTree.PIECE_BYTES;

    @Test
    void itsRootIsTheMerkleRootOfTheResource() throws Exception {
        Random random = new Random(3);
        for (int size : new int[] {0, 1, 20_000, 32_768, 40_000, PIECE, PIECE + 1, 3 * PIECE + 5, 8 * PIECE,
                9 * PIECE + 100, (1 << 20) + 77}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            PieceTree tree = PieceTree.of(new ByteArrayInputStream(data), size);
            assertArrayEquals(new MerkleDigest().digest(data), tree.root(), "size " + size);
        }
    }

    @Test
    void everyRunOfPiecesProvesItselfAndNothingElseDoes() throws Exception {
        Random random = new Random(4);
        for (int size : new int[] {PIECE + 1, 3 * PIECE + 5, 8 * PIECE, 13 * PIECE + 9}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            PieceTree tree = PieceTree.of(new ByteArrayInputStream(data), size);
            byte[] root = tree.root();
            int n = tree.pieces();
            for (int first = 0; first < n; first++) {
                for (int count = 1; first + count <= n; count++) {
                    List<byte[]> run = new ArrayList<>();
                    for (int i = first; i < first + count; i++) {
                        run.add(tree.piece(i));
                    }
                    List<byte[]> proof = tree.proof(first, count);
                    assertTrue(PieceTree.verify(root, n, first, run, proof), size + ": " + first + "+" + count);

                    List<byte[]> forged = new ArrayList<>(run);
                    byte[] bad = forged.get(0).clone();
                    bad[0] ^= 1;
                    forged.set(0, bad);
                    assertFalse(PieceTree.verify(root, n, first, forged, proof), "a changed piece hash fails");
                    if (!proof.isEmpty()) {
                        assertFalse(PieceTree.verify(root, n, first, run, proof.subList(1, proof.size())), "a short proof fails");
                    }
                    assertFalse(PieceTree.verify(root, n, first + 1, run, proof), "the same hashes elsewhere fail");
                }
            }
        }
    }

    @Test
    void theRootCommitsToThePieceCount() throws Exception {
        byte[] data = new byte[13 * PIECE + 9];
        new Random(8).nextBytes(data);
        PieceTree tree = PieceTree.of(new ByteArrayInputStream(data), data.length);
        List<byte[]> run = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            run.add(tree.piece(i));
        }
        assertTrue(PieceTree.verify(tree.root(), 13, 0, run, tree.proof(0, 12)));
        assertFalse(PieceTree.verify(tree.root(), 12, 0, run, tree.proof(0, 12)),
                "a holder that claims 12 pieces where there are 13 cannot prove them");
    }

    @Test
    void aPieceHashIsTheTreeNodeAboveItsBlocks() throws Exception {
        byte[] data = new byte[3 * PIECE + 5];
        new Random(6).nextBytes(data);
        PieceTree tree = PieceTree.of(new ByteArrayInputStream(data), data.length);
        for (int i = 0; i < tree.pieces(); i++) {
            int length = PieceTree.pieceLength(data.length, i);
            byte[] piece = java.util.Arrays.copyOfRange(data, i * PIECE, i * PIECE + length);
            assertArrayEquals(tree.piece(i), PieceTree.pieceHash(piece, length, false));
        }
    }
}
