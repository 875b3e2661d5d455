package io.swarmkeeper.server;

import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.protocol.PeerRole;

/**
 * What the directory knows of one connected peer: its id, role and where it is (never null:
 * {@link PeerPlace#UNKNOWN} when proximity is off or its address has no place).
 */
public record PeerRecord(String id, PeerRole role, PeerPlace place) {
    public PeerRecord {
        place = place == null ? PeerPlace.UNKNOWN : place;
    }

    public PeerRecord(String id, PeerRole role) {
        this(id, role, PeerPlace.UNKNOWN);
    }
}
