package io.swarmkeeper.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MerkleDigestTest {
    private static final int BLOCK = MerkleDigest.BLOCK_BYTES;

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            sha.update(p);
        }
        return sha.digest();
    }

    /** The tree built the plain way: every leaf, padded with zero hashes, halved level by level. */
    private static byte[] reference(byte[] data) throws Exception {
        List<byte[]> level = new ArrayList<>();
        for (int at = 0; at < data.length || level.isEmpty(); at += BLOCK) {
            level.add(sha256(Arrays.copyOfRange(data, at, Math.min(data.length, at + BLOCK))));
        }
        int size = 1;
        while (size < level.size()) {
            size *= 2;
        }
        while (level.size() < size) {
            level.add(new byte[32]);
        }
        while (level.size() > 1) {
            List<byte[]> up = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                up.add(sha256(level.get(i), level.get(i + 1)));
            }
            level = up;
        }
        return level.get(0);
    }

    @Test
    void matchesThePlainTreeForEverySizeAroundTheBlockBoundaries() throws Exception {
        Random random = new Random(5);
        int[] sizes = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 3 * BLOCK, 3 * BLOCK + 5, 4 * BLOCK, 5 * BLOCK + 7,
                8 * BLOCK, 8 * BLOCK + 1, 100 * BLOCK + 123, 1 << 20, (1 << 20) + 1};
        for (int size : sizes) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            MerkleDigest digest = new MerkleDigest();
            for (int at = 0; at < size; ) { // fed in odd pieces, as a network delivers
                int n = Math.min(size - at, 1 + random.nextInt(40_000));
                digest.update(data, at, n);
                at += n;
            }
            assertArrayEquals(reference(data), digest.digest(), "size " + size);
        }
    }

    @Test
    void smallCasesFollowTheDefinition() throws Exception {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(new MerkleDigest().digest()), "empty: the SHA-256 of nothing");
        byte[] one = new byte[BLOCK];
        assertArrayEquals(sha256(one), new MerkleDigest().digest(one), "one block: its own hash");
        byte[] three = new byte[3 * BLOCK];
        three[2 * BLOCK] = 1;
        byte[] left = sha256(sha256(new byte[BLOCK]), sha256(new byte[BLOCK]));
        byte[] right = sha256(sha256(Arrays.copyOfRange(three, 2 * BLOCK, 3 * BLOCK)), new byte[32]);
        assertArrayEquals(sha256(left, right), new MerkleDigest().digest(three), "three blocks: a zero leaf pads the fourth");
    }

    @Test
    void namesResourcesAsMt256Ids() {
        byte[] body = new byte[70_000];
        new Random(1).nextBytes(body);
        ResourceId id = ResourceId.of(HashAlgorithm.MERKLE_SHA256, body);
        assertTrue(id.text().matches("mt256-[0-9a-f]{64}"), id.text());
        assertEquals(id, ResourceId.parse(id.text().toUpperCase().replace("MT256", "mt256")));
        assertEquals(id, ResourceId.fromKey(id.key()));
        assertTrue(id.matches(id.newDigest().digest(body)));
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ResourceId.parse("mt256-abc"));
        assertTrue(bad.getMessage().contains("mt256- and 64 hex"), bad.getMessage());
    }
}
