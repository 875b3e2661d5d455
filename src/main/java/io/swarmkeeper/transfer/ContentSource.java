package io.swarmkeeper.transfer;

import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Where a holder reads the resources it serves. The store is one; tests wrap it to make liars. */
public interface ContentSource {
    /** The bytes of {@code id}, or empty when not held. */
    Optional<Content> open(ResourceId id) throws IOException;

    /** One opened resource. Closing it frees whatever it holds. */
    interface Content extends AutoCloseable {
        long size();

        InputStream stream() throws IOException;

        @Override
        void close() throws IOException;
    }
}
