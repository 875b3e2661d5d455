package io.swarmkeeper.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One peer's WebSocket connection, as the signaling logic sees it: text out, a close handshake,
 * a ping. The transport beneath (today Netty) decides how bytes move; every method is safe to
 * call from any thread and never blocks.
 */
interface Connection {
    /** The peer's socket address; never null while the connection exists. */
    InetSocketAddress remote();

    default InetAddress address() {
        return remote().getAddress();
    }

    /**
     * Queues a text frame. A peer that lets more than the server's bound of bytes pile up (it
     * stopped reading) is disconnected instead: then this returns false.
     */
    boolean send(String text);

    /**
     * Queues a text frame only while less than half the bound waits for this peer; false (and
     * nothing queued, nobody disconnected) otherwise. For what others relay to it: a flood from
     * one peer must not cut another off.
     */
    boolean sendIfRoom(String text);

    /**
     * Sends a close frame after whatever was queued, stops sending, and ends the connection when
     * the peer answers or after a short grace; a no-op when closing already.
     */
    void close(int code, String reason);

    /** Drops the connection now, without a close handshake (a peer that does not answer). */
    void abort();

    /** Sends a WebSocket ping. */
    void ping();

    /** Open, and no close begun by either side. */
    boolean isOpen();

    /** A close has begun or finished. */
    boolean isClosing();

    /** The signaling logic's state for this connection. */
    <T> T state();

    void setState(Object state);
}
