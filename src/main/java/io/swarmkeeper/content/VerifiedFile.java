package io.swarmkeeper.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;

/**
 * A temporary file that receives the bytes of one resource, hashing them as they arrive. Only
 * {@link #verify()} turns it into something usable; until then nothing outside may read it, and
 * {@link #close()} without a successful verify deletes it.
 */
public final class VerifiedFile implements AutoCloseable {
    private final ResourceId id;
    private final Path file;
    private final OutputStream out;
    private final MessageDigest digest;
    private long size;
    private boolean verified;
    private boolean closedOut;

    private VerifiedFile(ResourceId id, Path file) throws IOException {
        this.id = id;
        this.file = file;
        this.out = Files.newOutputStream(file);
        this.digest = id.newDigest();
    }

    /** A file already written and verified, taken over as it is. */
    private VerifiedFile(ResourceId id, Path file, long size) {
        this.id = id;
        this.file = file;
        this.out = null;
        this.digest = null;
        this.size = size;
        this.verified = true;
        this.closedOut = true;
    }

    /**
     * Hashes a whole file written elsewhere (assembled from ranges) and takes it over when it is
     * {@code id}. On mismatch the file is left where it is, for the caller to find the bad ranges,
     * and the exception names both hashes.
     */
    static VerifiedFile adopt(ResourceId id, Path file, String where) throws IOException {
        MessageDigest digest = id.newDigest();
        long size = 0;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                size += n;
            }
        }
        byte[] actual = digest.digest();
        if (!id.matches(actual)) {
            throw new HashMismatchException(id, actual, where);
        }
        return new VerifiedFile(id, file, size);
    }

    /** A file whose bytes were hashed as they were written elsewhere and matched {@code id}: taken over without reading it again. */
    static VerifiedFile adopted(ResourceId id, Path file, long size) {
        return new VerifiedFile(id, file, size);
    }

    /** Starts a new staging file in {@code dir} (the system temp directory when null). */
    public static VerifiedFile stage(ResourceId id, Path dir) throws IOException {
        Path tmp = dir == null
                ? Files.createTempFile("swarmkeeper-" + id.shortForm() + "-", ".part")
                : Files.createTempFile(dir, "." + id.shortForm() + "-", ".part");
        return new VerifiedFile(id, tmp);
    }

    public ResourceId id() {
        return id;
    }

    public long size() {
        return size;
    }

    public void write(byte[] bytes, int off, int len) throws IOException {
        if (verified || closedOut) {
            throw new IllegalStateException("staging file is already finished");
        }
        digest.update(bytes, off, len);
        out.write(bytes, off, len);
        size += len;
    }

    public void writeAll(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            write(buffer, 0, n);
        }
    }

    /**
     * Checks the hash of everything written. On mismatch the file is deleted at once and a
     * {@link HashMismatchException} names both hashes.
     */
    public void verify(String where) throws IOException {
        finishOutput();
        byte[] actual = digest.digest();
        if (!id.matches(actual)) {
            Files.deleteIfExists(file);
            throw new HashMismatchException(id, actual, where);
        }
        verified = true;
    }

    public boolean isVerified() {
        return verified;
    }

    /** Opens the verified bytes for reading. */
    public InputStream open() throws IOException {
        requireVerified();
        return Files.newInputStream(file);
    }

    /** Moves the verified bytes to {@code target}, atomically where the file system allows. */
    public void moveTo(Path target) throws IOException {
        requireVerified();
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null && !parent.equals(file.getParent())) {
            // Copy beside the target first so that the final step is an atomic rename.
            Path beside = Files.createTempFile(parent, "." + target.getFileName(), ".part");
            Files.move(file, beside, StandardCopyOption.REPLACE_EXISTING);
            Files.move(beside, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private void requireVerified() {
        if (!verified) {
            throw new IllegalStateException("bytes of " + id + " are not verified");
        }
    }

    private void finishOutput() throws IOException {
        if (!closedOut && out != null) {
            closedOut = true;
            out.close();
        }
    }

    @Override
    public void close() throws IOException {
        finishOutput();
        Files.deleteIfExists(file);
    }
}
