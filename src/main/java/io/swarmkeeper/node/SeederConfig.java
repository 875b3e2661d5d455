package io.swarmkeeper.node;

import java.net.URI;
import java.nio.file.Path;

/**
 * Settings of a seeder.
 *
 * @param server the signaling server, {@code ws://…} or {@code wss://…}
 * @param storeDir where the H2 store lives
 * @param uploadSlots how many uploads run at once
 */
public record SeederConfig(URI server, Path storeDir, int uploadSlots) {
    public SeederConfig {
        if (uploadSlots < 1 || uploadSlots > 256) {
            throw new IllegalArgumentException("upload slots must be 1..256, got " + uploadSlots);
        }
    }
}
