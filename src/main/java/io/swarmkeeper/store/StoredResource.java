package io.swarmkeeper.store;

import io.swarmkeeper.content.ResourceId;
import java.time.Instant;

/**
 * What the store records of one verified resource.
 *
 * @param origin      where the bytes first came from (an http(s) URL), or null when unknown
 * @param lastAccess  when it was last opened for reading (or stored); eviction takes the oldest first
 * @param hits        how many times it was opened for reading
 * @param bytesServed bytes read from it, in total
 * @param pinned      pinned resources are never evicted
 */
public record StoredResource(ResourceId id, long size, String mediaType, String origin, Instant added,
                             Instant lastAccess, long hits, long bytesServed, boolean pinned) {}
