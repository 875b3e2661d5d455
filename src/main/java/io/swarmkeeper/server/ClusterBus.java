package io.swarmkeeper.server;

import java.util.List;

/**
 * How one signaling server of a cluster reaches peers connected to the others (the Redis one is
 * {@code cluster.RedisBus}). The server relays to another instance only what it would deliver
 * itself: a signal between peers it paired; the other instance checks the pairing again before
 * delivering. A server alone has none (null).
 *
 * <p>What arrives from other instances is handed to the {@link Inbox} in the order each instance
 * sent it, on one thread that may wait (for the shared directory, say), never a network loop.
 */
public interface ClusterBus extends AutoCloseable {
    /** This instance's id in the cluster. */
    String instance();

    /** The live instance another peer is connected to; null when it is connected to none. */
    String homeOf(String peerId);

    /**
     * Whether the instance is alive: beating at the last heartbeat, or (one that joined since)
     * found in Redis, asked once; one seen to stop beating is not asked about.
     */
    boolean isLive(String instance);

    /** What became of a signal handed to another server. */
    enum Delivery { SENT, NO_SERVER, FAILED }

    /**
     * Sends a relayed signal frame (already stamped with its sender) to peer {@code to} on
     * instance {@code home}, without waiting (the relay runs on a network loop); {@code outcome}
     * hears whether a server took it, no server did (that instance is gone), or the shared state
     * could not be reached — later on another thread, or at once on this one when the call is
     * refused outright. When {@code to} has left that server, {@code from} hears {@code peer-gone}
     * through {@link Inbox#peerGone}.
     */
    void signal(String home, String to, String from, String frame, java.util.function.Consumer<Delivery> outcome);

    /** Tells {@code home}, where {@code holder} is connected, that {@code asker} was offered it (they may now signal). */
    void paired(String home, String asker, String holder, String reason);

    /**
     * Tells {@code home}, where {@code partner} is connected, that {@code goneId} left; its network
     * (null when not known) lets the partner still report or confirm it for a while.
     */
    void gone(String home, String partner, String goneId, java.net.InetAddress goneNetwork);

    /**
     * A report this server took (new to it): every other server counts it too, and one started
     * later reads it back. Networks are the ones reputation counts by.
     */
    void reported(String reporterId, java.net.InetAddress reporterNetwork, String subjectId,
                  java.net.InetAddress subjectNetwork, String resource);

    /** A confirmation of verified bytes this server took: every other server counts it too. */
    void vouched(String voucherId, java.net.InetAddress voucherNetwork, String subjectId, java.net.InetAddress subjectNetwork);

    /**
     * Peers here wait for holders of {@code resource} (for up to {@code seconds}): a peer that
     * announces it on another server is offered to them ({@link Inbox#holderArrived}).
     */
    void waiting(String resource, int seconds);

    /** Sends a {@code demand} frame to seeder {@code to}, connected to {@code home}. */
    void demand(String home, String to, String frame);

    /** Up to {@code n} seeders connected anywhere in the cluster, at random: [peer id, its instance] pairs. */
    List<String[]> someSeeders(int n);

    /** False while the shared state cannot be reached: new peers are told to come back later. */
    boolean available();

    /** Prometheus lines of the cluster as this instance sees it (Redis up, instances, messages routed). */
    String prometheus();

    /** The cluster as this instance sees it, for {@code /stats}: instances with their peers, Redis's round trip. */
    com.fasterxml.jackson.databind.node.ObjectNode stats();

    /** Starts delivering what other instances send here. */
    void start(Inbox inbox);

    @Override
    void close();

    /** What other instances send to this one. */
    interface Inbox {
        /** A signal for a local peer; false when {@code to} is not connected here (the sender then hears peer-gone). */
        boolean signal(String to, String from, String frame);

        /** {@code asker}, connected to server {@code askerHome}, was offered {@code holder}, connected here. */
        void paired(String asker, String askerHome, String holder, String reason);

        /** {@code goneId} (from {@code goneNetwork}, null when not known) left another server. */
        void gone(String partner, String goneId, java.net.InetAddress goneNetwork);

        /** Another server took a report; {@code ageMillis} ago (read back at start: older ones). */
        void reported(String reporterId, java.net.InetAddress reporterNetwork, String subjectId,
                      java.net.InetAddress subjectNetwork, String resource, long ageMillis);

        /** Another server took a confirmation of verified bytes, {@code ageMillis} ago. */
        void vouched(String voucherId, java.net.InetAddress voucherNetwork, String subjectId,
                     java.net.InetAddress subjectNetwork, long ageMillis);

        /** {@code holder}, connected to another server, announced resources that peers here wait for. */
        void holderArrived(String holder, List<String> resources);

        /** A {@code demand} frame for seeder {@code to}, connected here. */
        void demand(String to, String frame);

        /** {@code to}'s signal could not be delivered: {@code goneId} is not connected anywhere now. */
        void peerGone(String to, String goneId);

        /**
         * What the cluster knew of this instance's peers is gone (Redis restarted empty, or the
         * others took this instance for dead while Redis was away): its peers must connect again
         * and announce what they hold.
         */
        void stateLost();

        /**
         * Another instance stopped beating: the partners its peers had here hear {@code peer-gone}
         * (and the next-best holder), as when a peer of this server leaves.
         */
        void instanceGone(String instance);
    }
}
