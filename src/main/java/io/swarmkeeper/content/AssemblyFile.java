package io.swarmkeeper.content;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.TreeMap;

/**
 * A staging file that receives the ranges of one resource at any offset, from several peers at
 * once. Nothing in it may be used until {@link #verify} has hashed the whole of it; when that
 * fails, {@link #read} lets the caller compare it with a good copy to find the bad ranges.
 * {@link #close()} deletes it unless it was handed over as a {@link VerifiedFile}.
 *
 * <p>The hash follows the download: bytes that land where the hashed prefix ends are hashed from
 * the caller's array, and ranges that arrived ahead are read back (from the page cache) once the
 * gap before them fills, so that {@link #verify} has nothing left to read when the last byte came
 * in order. A write below the hashed prefix (a range fetched again) makes that hash void, and
 * {@link #verify} then hashes the whole file as before; so does a mismatch, which the full pass
 * confirms or not: only a hash of the file as it stands condemns it.
 */
public final class AssemblyFile implements AutoCloseable {
    private final ResourceId id;
    private final Path file;
    private final FileChannel channel;
    private final long size;
    private boolean handedOver;
    private boolean closed;
    /** The hash of bytes 0 .. {@link #hashed}, or null once void. Guarded by {@link #hashing}. */
    private MessageDigest digest;
    private long hashed;
    /** Written ranges beyond the hashed prefix, start → end, merged where they touch. Guarded by {@link #hashing}. */
    private final TreeMap<Long, Long> ahead = new TreeMap<>();
    /** Where ranges that came ahead are read back into, one piece at a time. Guarded by {@link #hashing}. */
    private final ByteBuffer readBack = ByteBuffer.allocate(1 << 16);
    private final Object hashing = new Object();

    private AssemblyFile(ResourceId id, Path file, FileChannel channel, long size) {
        this.id = id;
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.digest = id.newDigest();
    }

    /** A new staging file of {@code size} bytes in {@code dir} (the system temp directory when null). */
    public static AssemblyFile create(ResourceId id, long size, Path dir) throws IOException {
        Path tmp = dir == null
                ? Files.createTempFile("swarmkeeper-" + id.shortForm() + "-", ".part")
                : Files.createTempFile(dir, "." + id.shortForm() + "-", ".part");
        FileChannel channel = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new AssemblyFile(id, tmp, channel, size);
    }

    public ResourceId id() {
        return id;
    }

    public long size() {
        return size;
    }

    /** Writes {@code data} at {@code offset}; safe from several threads for disjoint ranges. */
    public void write(long offset, byte[] data) throws IOException {
        write(offset, data, 0, data.length);
    }

    /** Writes {@code length} bytes of {@code data} from {@code from} at {@code offset}; as {@link #write(long, byte[])}. */
    public void write(long offset, byte[] data, int from, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(from, length, data.length);
        if (offset < 0 || offset + length > size) {
            throw new IOException(length + " bytes at " + offset + " fall outside a " + size + "-byte resource");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data, from, length);
        long at = offset;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        follow(offset, data, from, length);
    }

    /** Hashes what the bytes just written at {@code offset} add to the contiguous prefix. */
    private void follow(long offset, byte[] data, int from, int length) throws IOException {
        synchronized (hashing) {
            if (digest == null) {
                return;
            }
            if (offset < hashed) {
                digest = null; // bytes already hashed were written again: verify hashes the file
                ahead.clear();
                return;
            }
            if (offset == hashed) {
                digest.update(data, from, length);
                hashed += length;
            } else {
                long end = offset + length;
                Long before = ahead.floorKey(offset);
                long start = offset;
                if (before != null && ahead.get(before) >= offset) {
                    start = before;
                    end = Math.max(end, ahead.get(before));
                }
                for (Long next = ahead.ceilingKey(start + 1); next != null && next <= end; next = ahead.ceilingKey(start + 1)) {
                    end = Math.max(end, ahead.remove(next));
                }
                ahead.put(start, end);
            }
            // Ranges that arrived ahead and now follow the prefix: read back and hashed.
            for (var next = ahead.firstEntry(); next != null && next.getKey() <= hashed; next = ahead.firstEntry()) {
                ahead.pollFirstEntry();
                for (long at = hashed; at < next.getValue(); ) {
                    readBack.clear().limit((int) Math.min(readBack.capacity(), next.getValue() - at));
                    int n = channel.read(readBack, at);
                    if (n < 0) {
                        throw new IOException("the staging file ends at " + at + ", before bytes written up to " + next.getValue());
                    }
                    digest.update(readBack.flip());
                    at += n;
                }
                hashed = Math.max(hashed, next.getValue());
            }
        }
    }

    /** How many bytes from the start are hashed already (what {@link #verify} need not read); -1 once that hash is void. */
    long hashedPrefix() {
        synchronized (hashing) {
            return digest == null ? -1 : hashed;
        }
    }

    /** Reads back {@code length} bytes at {@code offset}, for comparing with a good copy. */
    public byte[] read(long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        long at = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        return buffer.array();
    }

    /**
     * Hashes the whole file. When it is {@code id}, hands it over as a verified file (this object
     * then no longer deletes it); otherwise throws and keeps it for {@link #read}.
     */
    public synchronized VerifiedFile verify(String where) throws IOException {
        byte[] followed = null;
        synchronized (hashing) {
            if (digest != null && hashed == size && ahead.isEmpty()) {
                followed = digest.digest();
                digest = null;
            }
        }
        VerifiedFile verified = followed != null && id.matches(followed)
                ? VerifiedFile.adopted(id, file, size)
                : VerifiedFile.adopt(id, file, where);
        handedOver = true;
        channel.close();
        return verified;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        channel.close();
        if (!handedOver) {
            Files.deleteIfExists(file);
        }
    }
}
