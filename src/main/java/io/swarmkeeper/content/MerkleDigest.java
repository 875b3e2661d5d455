package io.swarmkeeper.content;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The root of a binary SHA-256 Merkle tree over 16 KiB blocks, after BitTorrent v2's per-file
 * tree (BEP 52): each leaf is the SHA-256 of one 16 KiB block (the last block may be shorter and
 * is hashed as it is); the leaves are padded with 32 zero bytes up to a power of two; each inner
 * node is the SHA-256 of its two children concatenated. Empty input has one leaf, the SHA-256 of
 * nothing. Computed incrementally, keeping one pending node per tree level, so it streams like
 * any {@link MessageDigest}.
 *
 * <p>A tree lets a receiver check part of a resource on arrival, given the hashes that link
 * that part to the root; the ids built on it are {@code mt256-<hex of the root>}.
 */
public final class MerkleDigest extends MessageDigest {
    /** Bytes per leaf. */
    public static final int BLOCK_BYTES = 16 * 1024;

    private final MessageDigest sha = HashAlgorithm.SHA256.newDigest();
    private final byte[] block = new byte[BLOCK_BYTES];
    private int blockFill;
    /** Complete subtrees not yet paired, by height: pending[h] covers 2^h leaves. */
    private final List<byte[]> pending = new ArrayList<>();
    private long leaves;

    public MerkleDigest() {
        super("MerkleSHA-256-16K");
    }


    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        while (len > 0) {
            int n = Math.min(len, BLOCK_BYTES - blockFill);
            System.arraycopy(input, offset, block, blockFill, n);
            blockFill += n;
            offset += n;
            len -= n;
            if (blockFill == BLOCK_BYTES) {
                addLeaf(sha.digest(block));
                blockFill = 0;
            }
        }
    }

    private void addLeaf(byte[] leaf) {
        leaves++;
        byte[] node = leaf;
        int height = 0;
        while (height < pending.size() && pending.get(height) != null) {
            node = parent(pending.get(height), node);
            pending.set(height, null);
            height++;
        }
        if (height == pending.size()) {
            pending.add(node);
        } else {
            pending.set(height, node);
        }
    }

    private byte[] parent(byte[] left, byte[] right) {
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    @Override
    protected byte[] engineDigest() {
        if (blockFill > 0 || leaves == 0) {
            sha.update(block, 0, blockFill);
            addLeaf(sha.digest());
            blockFill = 0;
        }
        int height = 64 - Long.numberOfLeadingZeros(leaves - 1); // the tree has 2^height leaves
        byte[] node = null; // covers everything to the right of the pending subtrees seen so far
        byte[] zero = new byte[32]; // the hash of a subtree of padding at the current level
        for (int h = 0; h < height; h++) {
            byte[] left = h < pending.size() ? pending.get(h) : null;
            if (left != null) {
                node = parent(left, node != null ? node : zero);
            } else if (node != null) {
                node = parent(node, zero);
            }
            zero = parent(zero, zero);
        }
        byte[] root = height < pending.size() && pending.get(height) != null ? pending.get(height) : node;
        engineReset();
        return root;
    }

    @Override
    protected void engineReset() {
        sha.reset();
        Arrays.fill(block, (byte) 0);
        blockFill = 0;
        pending.clear();
        leaves = 0;
    }
}
