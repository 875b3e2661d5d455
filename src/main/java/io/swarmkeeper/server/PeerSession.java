package io.swarmkeeper.server;

import io.swarmkeeper.geo.PeerPlace;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.PeerRole;
import java.net.InetAddress;

/** A welcomed peer: its id, role, the network it connected from and when, and where it is. */
record PeerSession(String id, PeerRole role, InetAddress network, long joinedNanos, PeerPlace place) {
    Reputation.Party party() {
        return new Reputation.Party(id, network, joinedNanos);
    }

    PeerRecord record() {
        return new PeerRecord(id, role, place, network);
    }

    /** What other peers may learn of where it is: city and country at most; null when unknown. */
    Message.Place wirePlace() {
        return wirePlaceOf(place);
    }

    static Message.Place wirePlaceOf(PeerPlace place) {
        return place == null || (place.city() == null && place.country() == null) ? null
                : new Message.Place(place.city(), place.country());
    }
}
