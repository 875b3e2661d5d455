package io.swarmkeeper.server;

import io.swarmkeeper.protocol.PeerRole;

/** What the directory knows of one connected peer. */
public record PeerRecord(String id, PeerRole role) {}
