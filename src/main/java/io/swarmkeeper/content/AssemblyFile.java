package io.swarmkeeper.content;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A staging file that receives the ranges of one resource at any offset, from several peers at
 * once. Nothing in it may be used until {@link #verify} has hashed the whole of it; when that
 * fails, {@link #read} lets the caller compare it with a good copy to find the bad ranges.
 * {@link #close()} deletes it unless it was handed over as a {@link VerifiedFile}.
 */
public final class AssemblyFile implements AutoCloseable {
    private final ResourceId id;
    private final Path file;
    private final FileChannel channel;
    private final long size;
    private boolean handedOver;
    private boolean closed;

    private AssemblyFile(ResourceId id, Path file, FileChannel channel, long size) {
        this.id = id;
        this.file = file;
        this.channel = channel;
        this.size = size;
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
        if (offset < 0 || offset + data.length > size) {
            throw new IOException(data.length + " bytes at " + offset + " fall outside a " + size + "-byte resource");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        long at = offset;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
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
        VerifiedFile verified = VerifiedFile.adopt(id, file, where);
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
