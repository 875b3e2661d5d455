package io.swarmkeeper.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What kind of peer is on the other end of a connection. */
public enum PeerRole {
    /** An always-on seeder (the desktop or headless app). */
    SEEDER,
    /** A web page running the browser client. */
    BROWSER,
    /** Any other peer, for example the one-shot {@code fetch} command. */
    PEER;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static PeerRole fromWire(String name) {
        for (PeerRole role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role \"" + name + "\" (seeder, browser or peer)");
    }
}
