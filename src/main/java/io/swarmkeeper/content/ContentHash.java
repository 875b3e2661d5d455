package io.swarmkeeper.content;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** The id and size of some bytes, computed by streaming them once. */
public record ContentHash(ResourceId id, long size) {
    /** SHA-224, the default id kind. */
    public static ContentHash of(InputStream in) throws IOException {
        return of(HashAlgorithm.SHA224, in);
    }

    public static ContentHash of(HashAlgorithm algorithm, InputStream in) throws IOException {
        MessageDigest digest = algorithm.newDigest();
        byte[] buffer = new byte[1 << 16];
        long size = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            size += n;
        }
        return new ContentHash(ResourceId.fromDigest(algorithm, digest.digest()), size);
    }
}
