package io.swarmkeeper.server;

import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.protocol.PeerRole;
import java.net.InetAddress;

/**
 * What the directory knows of one connected peer: its id, role, where it is (never null:
 * {@link PeerPlace#UNKNOWN} when proximity is off or its address has no place) and the network it
 * connected from (its address, IPv6 cut to its /64; null when not known), which a peer connected
 * to another server of a cluster brings for the one-holder-per-network choice and reports.
 */
public record PeerRecord(String id, PeerRole role, PeerPlace place, InetAddress network) {
    public PeerRecord {
        place = place == null ? PeerPlace.UNKNOWN : place;
    }

    public PeerRecord(String id, PeerRole role, PeerPlace place) {
        this(id, role, place, null);
    }

    public PeerRecord(String id, PeerRole role) {
        this(id, role, PeerPlace.UNKNOWN);
    }
}
