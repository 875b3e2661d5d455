package io.swarmkeeper.transfer;

import io.swarmkeeper.content.PieceTree;
import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Where a holder reads the resources it serves. The store is one; tests wrap it to make liars. */
public interface ContentSource {
    /** The bytes of {@code id}, or empty when not held. */
    Optional<Content> open(ResourceId id) throws IOException;

    /**
     * The piece tree of a Merkle-root id ({@code mt256-…}) held here, for sending piece hashes
     * with its ranges; empty when not held. Computed from the bytes unless a source keeps it.
     */
    default Optional<PieceTree> pieceTree(ResourceId id) throws IOException {
        Optional<Content> content = open(id);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        try (Content c = content.get(); InputStream in = c.stream()) {
            return Optional.of(PieceTree.of(in, c.size()));
        }
    }

    /** One opened resource. Closing it frees whatever it holds. */
    interface Content extends AutoCloseable {
        long size();

        InputStream stream() throws IOException;

        /**
         * The bytes from {@code position} on, as a channel (closed with the content). A store
         * reads its file at positions; this default skips through {@link #stream()}.
         */
        default java.nio.channels.ReadableByteChannel channel(long position) throws IOException {
            InputStream in = stream();
            in.skipNBytes(position);
            return java.nio.channels.Channels.newChannel(in);
        }

        @Override
        void close() throws IOException;
    }
}
