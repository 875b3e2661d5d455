package io.swarmkeeper.store;

import java.io.IOException;

/** The store cannot be opened or used; the message says why, for a person. */
public final class StoreException extends IOException {
    private final boolean damaged;

    public StoreException(String message) {
        this(message, null, false);
    }

    public StoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param damaged true when the database cannot be used as it is and moving it aside
     *                ({@link ContentStore#moveAsideDamagedDatabase}) is the way on
     */
    public StoreException(String message, Throwable cause, boolean damaged) {
        super(message, cause);
        this.damaged = damaged;
    }

    /** True when the database is damaged (or foreign, or of a later version) and may be moved aside. */
    public boolean damaged() {
        return damaged;
    }
}
