package io.swarmkeeper.store;

/** Told when resources enter or leave the store. Called on the thread that made the change; do not block. */
public interface StoreListener {
    /** Why a resource left the store. */
    enum Removal {
        /** Least recently used, to make room within the quota. */
        EVICTED,
        /** Its bytes no longer hash to its id (found by the scrub or on read). */
        CORRUPT,
        /** Its bytes are gone from disk. */
        MISSING,
        /** Removed on request. */
        REMOVED
    }

    void added(StoredResource resource);

    void removed(StoredResource resource, Removal why);

    /**
     * The store's disk became full ({@code full}: new resources are refused, stored ones still
     * served) or has room again; {@code detail} says what was seen, for people.
     */
    default void diskSpace(boolean full, String detail) {
    }
}
