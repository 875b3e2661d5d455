package io.swarmkeeper.store;

/**
 * Totals over the whole store.
 *
 * @param quotaBytes the byte quota, or 0 when unlimited
 */
public record StoreStats(long resources, long bytes, long pinnedResources, long pinnedBytes, long quotaBytes,
                         long hits, long bytesServed) {}
