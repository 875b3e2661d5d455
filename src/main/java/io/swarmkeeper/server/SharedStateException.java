package io.swarmkeeper.server;

/**
 * The state a cluster of servers shares (in Redis) could not be read or written just now: the
 * peer is told to come back later ({@code overloaded} with {@code retryAfterMs}), never given an
 * answer made without it.
 */
public class SharedStateException extends RuntimeException {
    public SharedStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
