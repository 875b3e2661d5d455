package io.swarmkeeper.geo;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Predicate;

/** Reading MaxMind DB files whole, with errors that name the file; the city and ASN databases share it. */
final class MaxMindFile {
    /** The marker that starts the metadata section of every MaxMind DB file. */
    static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
            'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};

    private MaxMindFile() {}

    /**
     * Reads {@code file} whole and checks that its first record, read as {@code type}, is one
     * {@code usable} accepts: whatever is wrong is said here, naming the file ({@code notThis} and
     * the database type it has, then {@code hint}), never at a later lookup.
     */
    static <T> Reader read(Path file, String what, Class<T> type, Predicate<T> usable, String notThis, String hint)
            throws GeoDataException {
        Reader reader = read(file, what);
        try {
            Networks<T> networks = reader.networks(false, type);
            if (!networks.hasNext()) {
                throw new GeoDataException(file, "the " + what + " holds no networks");
            }
            DatabaseRecord<T> first = networks.next();
            if (first.data() == null || !usable.test(first.data())) {
                throw new GeoDataException(file, notThis + " (database type \"" + reader.getMetadata().databaseType()
                        + "\"" + hint + ")");
            }
            return reader;
        } catch (Exception e) { // the reader's checked exceptions are not all IOExceptions
            try {
                reader.close();
            } catch (IOException ignored) {
                // in memory: nothing to release that could fail
            }
            if (e instanceof GeoDataException g) {
                throw g;
            }
            throw new GeoDataException(file, "unreadable " + what + ": " + e.getMessage(), e);
        }
    }

    static Reader read(Path file, String what) throws GeoDataException {
        if (!Files.exists(file)) {
            throw new GeoDataException(file, "no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new GeoDataException(file, "not a readable file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new Reader(in);
        } catch (NoSuchFileException e) {
            throw new GeoDataException(file, "no such file", e);
        } catch (IOException | RuntimeException e) {
            throw new GeoDataException(file, "not a usable " + what + " (MaxMind DB format): " + e.getMessage()
                    + "; is it truncated, or another format?", e);
        }
    }

    /** True when the file's bytes contain the MaxMind DB metadata marker (looked for in its last 128 KiB). */
    static boolean looksLikeMaxMind(Path file) throws IOException {
        long size = Files.size(file);
        try (var channel = Files.newByteChannel(file)) {
            long from = Math.max(0, size - 128 * 1024);
            channel.position(from);
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate((int) (size - from));
            while (tail.hasRemaining() && channel.read(tail) > 0) {
                // read it all
            }
            byte[] b = tail.array();
            outer:
            for (int i = b.length - METADATA_MARKER.length; i >= 0; i--) {
                for (int j = 0; j < METADATA_MARKER.length; j++) {
                    if (b[i + j] != METADATA_MARKER[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }
}
