package io.swarmkeeper.node;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;

/**
 * A resource fetched and verified. {@code source} is {@code "peer:<id>"} or {@code "origin"}.
 * The caller owns {@code file}: move it, store it, or close it to delete it.
 */
public record FetchResult(ResourceId id, long bytes, String source, VerifiedFile file, String mediaType) {}
