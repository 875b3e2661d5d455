package io.swarmkeeper.store;

import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.function.Consumer;

/**
 * The bytes of stored resources, one file each, named by {@link ResourceId#key()} under
 * {@code blobs/<two hex>/}. New bytes are written and hashed under {@code staging/}, forced to
 * disk, and renamed into place only once verified; the database row that makes them visible is
 * committed after that rename. So a file under {@code blobs/} is always whole and verified, and a
 * row always points at such a file, except when the bytes are changed or lost behind the store's
 * back (the scrub and reads find those).
 */
final class BlobFiles {
    private final Path blobs;
    private final Path staging;

    BlobFiles(Path directory) throws IOException {
        this.blobs = directory.resolve("blobs");
        this.staging = directory.resolve("staging");
        Files.createDirectories(blobs);
        Files.createDirectories(staging);
    }

    Path pathOf(ResourceId id) {
        String key = id.key();
        String digestHex = key.substring(key.indexOf('-') + 1);
        return blobs.resolve(digestHex.substring(0, 2)).resolve(key);
    }

    /** Bytes written under staging/ and verified, waiting to be installed. */
    record Staged(Path file, long size) {}

    /**
     * Writes {@code in} to a staging file, hashing it; the file is forced to disk and returned
     * only when the bytes are those of {@code id}. Otherwise it is deleted and the exception names
     * both hashes.
     */
    Staged stage(ResourceId id, InputStream in) throws IOException {
        Path file = Files.createTempFile(staging, id.shortForm() + "-", ".part");
        boolean keep = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            MessageDigest digest = id.newDigest();
            byte[] buffer = new byte[1 << 16];
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            long size = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                wrapped.clear().limit(n);
                while (wrapped.hasRemaining()) {
                    out.write(wrapped);
                }
                size += n;
            }
            byte[] actual = digest.digest();
            if (!id.matches(actual)) {
                throw new HashMismatchException(id, actual, "while storing");
            }
            out.force(true);
            keep = true;
            return new Staged(file, size);
        } finally {
            if (!keep) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Moves a verified staging file to its place; replaces an identical leftover of a crash. */
    void install(Staged staged, ResourceId id) throws IOException {
        Path target = pathOf(id);
        Files.createDirectories(target.getParent());
        try {
            Files.move(staged.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staged.file(), target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void discard(Staged staged) {
        try {
            Files.deleteIfExists(staged.file());
        } catch (IOException ignored) {
            // a leftover in staging/ is removed at the next open
        }
    }

    /**
     * Deletes the bytes of {@code id}; readers that have them open keep reading (POSIX). True
     * when they are gone (or were already), false when they could not be deleted.
     */
    boolean delete(ResourceId id) {
        try {
            Files.deleteIfExists(pathOf(id));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    FileChannel openForReading(ResourceId id) throws IOException {
        try {
            return FileChannel.open(pathOf(id), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The file system's identity of the bytes of {@code id} (an inode), or null when absent. */
    Object fileKey(ResourceId id) throws IOException {
        FileState state = state(id);
        return state == null ? null : state.key();
    }

    /**
     * A file as the file system describes it: its identity ({@link #fileKey}), size and last
     * change. Equal states mean the file was neither replaced nor written in between (as far as
     * the file system can tell: a bit that flips on the medium changes none of them).
     */
    record FileState(Object key, long size, FileTime modified) {}

    /** The state of the bytes of {@code id}, or null when they are absent. */
    FileState state(ResourceId id) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(pathOf(id), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object key = a.fileKey() != null ? a.fileKey() : a.lastModifiedTime().toMillis() + "/" + a.size();
            return new FileState(key, a.size(), a.lastModifiedTime());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Where staging files go; other writers that stage for this store (origin downloads) use it too. */
    Path stagingDirectory() {
        return staging;
    }

    /** Removes what interrupted writes left in staging/. */
    int clearStaging() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(staging)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
                removed++;
            }
        }
        return removed;
    }

    /** Every blob file, whatever its name. */
    void forEach(Consumer<Path> action) throws IOException {
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(blobs)) {
            for (Path shard : shards) {
                if (!Files.isDirectory(shard)) {
                    action.accept(shard);
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
                    for (Path f : files) {
                        action.accept(f);
                    }
                }
            }
        }
    }

    boolean isEmpty() throws IOException {
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(blobs)) {
            return !shards.iterator().hasNext();
        }
    }
}
