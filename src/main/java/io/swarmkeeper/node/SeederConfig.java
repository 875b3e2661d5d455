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
    /** Each running upload holds an open file and a data channel's send buffer (≤ 2 MiB). */
    public static final int MAX_UPLOAD_SLOTS = 32;

    public SeederConfig {
        if (uploadSlots < 1 || uploadSlots > MAX_UPLOAD_SLOTS) {
            throw new IllegalArgumentException("upload slots must be 1.." + MAX_UPLOAD_SLOTS + ", got " + uploadSlots);
        }
    }
}
