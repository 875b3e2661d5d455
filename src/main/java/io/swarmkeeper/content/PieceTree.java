package io.swarmkeeper.content;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The upper part of a resource's Merkle tree ({@link MerkleDigest}), from its 64 KiB pieces up
 * to the root: what a holder needs to send, beside a run of pieces, the hashes that link them to
 * the root, and what a requester needs to check them on arrival. The rules are those of
 * docs/protocol.md, pinned by src/test/resources/golden/transfer/merkle-vectors.json.
 *
 * <p>A piece is 4 blocks (64 KiB); its hash is the node above its 4 leaves (a short last piece
 * is padded with zero leaves, as the tree is). A resource of one piece is its own root: the tree
 * over its own 1, 2 or 4 leaves, since its id cannot change. Pieces are padded up to a power of
 * two with the hash of 4 zero leaves.
 */
public final class PieceTree {
    public static final int BLOCKS_PER_PIECE = 4;
    public static final int PIECE_BYTES = BLOCKS_PER_PIECE * MerkleDigest.BLOCK_BYTES;
    private static final byte[] ZERO_LEAF = new byte[32];

    /** levels.get(0): the pieces, padded; the last level: the root. */
    private final List<byte[][]> levels;
    private final int pieces;

    private PieceTree(List<byte[][]> levels, int pieces) {
        this.levels = levels;
        this.pieces = pieces;
    }

    /** Pieces in a resource of {@code size} bytes (at least one). */
    public static int pieceCount(long size) {
        return (int) Math.max(1, (size + PIECE_BYTES - 1) / PIECE_BYTES);
    }

    /** Bytes of piece {@code index} of a resource of {@code size} bytes. */
    public static int pieceLength(long size, int index) {
        return (int) Math.min(PIECE_BYTES, size - (long) index * PIECE_BYTES);
    }

    /** Builds the tree of {@code size} bytes read from {@code in}. */
    public static PieceTree of(InputStream in, long size) throws IOException {
        int count = pieceCount(size);
        byte[][] hashes = new byte[count][];
        byte[] buffer = new byte[PIECE_BYTES];
        for (int i = 0; i < count; i++) {
            int length = pieceLength(size, i);
            if (in.readNBytes(buffer, 0, length) != length) {
                throw new IOException("resource ended before its " + size + " bytes");
            }
            hashes[i] = pieceHash(buffer, length, count == 1);
        }
        return fromPieces(hashes);
    }

    /**
     * The hash of one piece's bytes; {@code only} when it is the resource's single piece (whose
     * hash is then the root itself).
     */
    public static byte[] pieceHash(byte[] data, int length, boolean only) {
        return pieceHash(data, 0, length, only);
    }

    /** As {@link #pieceHash(byte[], int, boolean)}, for the piece at {@code offset} of {@code data}. */
    public static byte[] pieceHash(byte[] data, int offset, int length, boolean only) {
        if (only) {
            MerkleDigest digest = new MerkleDigest();
            digest.update(data, offset, length);
            return digest.digest();
        }
        MessageDigest sha = HashAlgorithm.SHA256.newDigest();
        byte[][] leaves = new byte[BLOCKS_PER_PIECE][];
        for (int b = 0; b < BLOCKS_PER_PIECE; b++) {
            int from = b * MerkleDigest.BLOCK_BYTES;
            if (from < length) {
                sha.update(data, offset + from, Math.min(MerkleDigest.BLOCK_BYTES, length - from));
                leaves[b] = sha.digest();
            } else {
                leaves[b] = ZERO_LEAF;
            }
        }
        return parent(sha, parent(sha, leaves[0], leaves[1]), parent(sha, leaves[2], leaves[3]));
    }

    /** The tree above the given piece hashes. */
    public static PieceTree fromPieces(byte[][] pieceHashes) {
        MessageDigest sha = HashAlgorithm.SHA256.newDigest();
        int padded = Integer.highestOneBit(Math.max(1, pieceHashes.length - 1)) << (pieceHashes.length > 1 ? 1 : 0);
        byte[] pad = padHash(sha);
        byte[][] level = new byte[padded][];
        for (int i = 0; i < padded; i++) {
            level[i] = i < pieceHashes.length ? pieceHashes[i] : pad;
        }
        List<byte[][]> levels = new ArrayList<>();
        levels.add(level);
        while (level.length > 1) {
            byte[][] up = new byte[level.length / 2][];
            for (int i = 0; i < up.length; i++) {
                up[i] = parent(sha, level[2 * i], level[2 * i + 1]);
            }
            levels.add(up);
            level = up;
        }
        return new PieceTree(levels, pieceHashes.length);
    }

    public byte[] root() {
        return levels.get(levels.size() - 1)[0].clone();
    }

    public int pieces() {
        return pieces;
    }

    public byte[] piece(int index) {
        return levels.get(0)[index].clone();
    }

    /**
     * The hashes that link pieces {@code first .. first+count-1} to the root: level by level from
     * the pieces up, the left neighbour of the run when the run starts on a right child, then
     * the right neighbour when it ends on a left child. Every neighbour is sent, those that cover
     * only padding too: how many there are then depends on the shape of the tree alone, as in
     * BEP 52, and a requester needs no rule about which to leave out.
     */
    public List<byte[]> proof(int first, int count) {
        List<byte[]> proof = new ArrayList<>();
        int a = first;
        int b = first + count - 1;
        for (int l = 0; l < levels.size() - 1; l++) {
            byte[][] level = levels.get(l);
            if (a % 2 == 1) {
                proof.add(level[a - 1]);
            }
            if (b % 2 == 0) {
                proof.add(level[b + 1]);
            }
            a /= 2;
            b /= 2;
        }
        return proof;
    }

    /**
     * True when pieces {@code first ..} with {@code hashes}, and {@code proof}, lead to
     * {@code root} in a tree of {@code pieceCount} pieces, and every proof hash that covers only
     * padding is the padding hash of its level. Never throws on bad input.
     */
    public static boolean verify(byte[] root, int pieceCount, int first, List<byte[]> hashes, List<byte[]> proof) {
        if (hashes.isEmpty() || first < 0 || first + hashes.size() > pieceCount) {
            return false;
        }
        MessageDigest sha = HashAlgorithm.SHA256.newDigest();
        int padded = Integer.highestOneBit(Math.max(1, pieceCount - 1)) << (pieceCount > 1 ? 1 : 0);
        int a = first;
        List<byte[]> run = new ArrayList<>(hashes);
        int next = 0;
        int level = 0;
        byte[] padding = padHash(sha); // the hash of a subtree of padding at the current level
        int size = padded;
        while (size > 1) {
            int b = a + run.size() - 1;
            List<byte[]> withNeighbours = new ArrayList<>();
            if (a % 2 == 1) {
                if (next >= proof.size()) {
                    return false;
                }
                withNeighbours.add(proof.get(next++));
                a--;
            }
            withNeighbours.addAll(run);
            if (b % 2 == 0) {
                if (next >= proof.size()) {
                    return false;
                }
                byte[] right = proof.get(next++);
                // Padding is known to both sides: checking it commits the root to the piece count
                // the requester was told, so a holder that gave a wrong size is caught here.
                if (allPadding(level, b + 1, pieceCount) && !MessageDigest.isEqual(right, padding)) {
                    return false;
                }
                withNeighbours.add(right);
            }
            List<byte[]> up = new ArrayList<>();
            for (int i = 0; i + 1 < withNeighbours.size(); i += 2) {
                up.add(parent(sha, withNeighbours.get(i), withNeighbours.get(i + 1)));
            }
            run = up;
            a /= 2;
            size /= 2;
            level++;
            padding = parent(sha, padding, padding);
        }
        return next == proof.size() && run.size() == 1 && MessageDigest.isEqual(run.get(0), root);
    }

    /** True when node {@code index} at {@code level} (0: pieces) covers only padding. */
    private static boolean allPadding(int level, int index, int pieceCount) {
        return ((long) index << level) >= pieceCount;
    }

    private static byte[] padHash(MessageDigest sha) {
        byte[] twoZero = parent(sha, ZERO_LEAF, ZERO_LEAF);
        return parent(sha, twoZero, twoZero);
    }

    private static byte[] parent(MessageDigest sha, byte[] left, byte[] right) {
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }


    @Override
    public String toString() {
        return "PieceTree[" + pieces + " pieces, root " + java.util.HexFormat.of().formatHex(root()) + "]";
    }
}
