package io.swarmkeeper.transfer;

import io.swarmkeeper.content.ResourceId;

/** Hears about transfers as they go, for logs, the GUI and statistics. Must return quickly. */
public interface TransferObserver {
    enum Direction { UPLOAD, DOWNLOAD }

    TransferObserver NONE = new TransferObserver() {};

    default void started(String peerId, ResourceId id, Direction direction, long totalBytes) {}

    default void progress(String peerId, ResourceId id, Direction direction, long doneBytes, long totalBytes) {}

    /** {@code failure} is null when the transfer succeeded (downloads: verified). */
    default void finished(String peerId, ResourceId id, Direction direction, long bytes, String failure) {}
}
