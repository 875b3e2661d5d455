package io.swarmkeeper.settings;

import io.swarmkeeper.manifest.OriginKey;
import java.util.List;

/**
 * A website seeded: its manifest (an http(s) URL or a file) and the keys its manifest must be
 * signed by (one, as the window adds sites; none: taken unsigned, with a warning).
 */
public record Site(String manifest, List<OriginKey> trustedKeys) {
    public Site {
        if (manifest == null || manifest.isBlank()) {
            throw new IllegalArgumentException("a site needs its manifest's URL or file");
        }
        trustedKeys = List.copyOf(trustedKeys);
    }

    public Site(String manifest, OriginKey trustedKey) {
        this(manifest, List.of(trustedKey));
    }
}
