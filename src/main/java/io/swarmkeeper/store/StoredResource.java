package io.swarmkeeper.store;

import io.swarmkeeper.content.ResourceId;
import java.time.Instant;

/** What the store records of one verified resource. */
public record StoredResource(ResourceId id, long size, String mediaType, String origin, Instant added) {}
