package io.swarmkeeper.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What is decided about a socket the moment it is accepted, before a byte of it is read: how
 * many sockets its network already holds, and whether the process has descriptors to spare.
 * Up to {@code --max-connections-per-address} sockets of one network are served; the next ones
 * (as many again, at least 16) are told so in-band; beyond those they are closed at once. And the server stops accepting while fewer than {@code --fd-reserve}
 * descriptors are left, rather than failing inside accept or a file open.
 */
final class AcceptGate {
    /** Sockets of one network above which new ones are closed without a word. */
    private final int hardLimitPerNetwork;
    private final int reserve;
    private final long maxDescriptors;
    private final Map<InetAddress, Integer> byNetwork = new ConcurrentHashMap<>();
    private final AtomicInteger sockets = new AtomicInteger();
    /** Descriptors that are not our sockets (jars, files, epoll, pipes), as last sampled. */
    private volatile long otherDescriptors;
    /** How often {@link #sample} lists the descriptors while there are plenty to spare. */
    static final long CALM_LISTING_NANOS = 60_000_000_000L;
    private long lastListedNanos;

    AcceptGate(int maxConnectionsPerAddress, int reserve) {
        this(maxConnectionsPerAddress, reserve, maxDescriptorsOfThisProcess());
    }

    AcceptGate(int maxConnectionsPerAddress, int reserve, long maxDescriptors) {
        // Room above the limit for connections that are being told so (and closing), at least 16.
        this.hardLimitPerNetwork = (int) Math.min(Integer.MAX_VALUE,
                (long) maxConnectionsPerAddress + Math.max(maxConnectionsPerAddress, 16));
        this.reserve = reserve;
        this.maxDescriptors = maxDescriptors;
        sample();
    }

    /**
     * Counts a socket just accepted from {@code address}; false when its network already holds
     * as many as it may (the count is then left as it was, and the caller closes the socket).
     */
    boolean admit(InetAddress address) {
        InetAddress network = networkOf(address);
        boolean[] admitted = new boolean[1];
        byNetwork.compute(network, (k, n) -> {
            int now = n == null ? 0 : n;
            admitted[0] = now < hardLimitPerNetwork;
            return admitted[0] ? Integer.valueOf(now + 1) : n;
        });
        if (admitted[0]) {
            sockets.incrementAndGet();
        }
        return admitted[0];
    }

    /** Forgets a socket that {@link #admit} counted. */
    void release(InetAddress address) {
        sockets.decrementAndGet();
        byNetwork.computeIfPresent(networkOf(address), (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Sockets its network holds now, this one included once counted. */
    int socketsOf(InetAddress address) {
        Integer n = byNetwork.get(networkOf(address));
        return n == null ? 0 : n;
    }

    int sockets() {
        return sockets.get();
    }

    /** True when accepting more would eat into the reserve of descriptors. */
    boolean descriptorsLow() {
        return maxDescriptors > 0 && sockets.get() + otherDescriptors + reserve >= maxDescriptors;
    }

    /** True once enough descriptors are free again to resume accepting (a little below the mark, to avoid flapping). */
    boolean descriptorsRecovered() {
        return maxDescriptors <= 0 || sockets.get() + otherDescriptors + reserve + Math.max(1, reserve / 4) < maxDescriptors;
    }

    long maxDescriptors() {
        return maxDescriptors;
    }

    long descriptorsInUse() {
        return sockets.get() + otherDescriptors;
    }

    /**
     * Re-reads how many descriptors are not our sockets, when it is time to: every call (about
     * once a second) while accepting is paused or close to it, else every {@link #CALM_LISTING_NANOS}.
     * The listing of {@code /proc/self/fd} costs as much as there are descriptors: once a second
     * at 19,500 sockets it was half the idle server's CPU. The sockets themselves are counted
     * exactly at all times; what the listing adds (files, pipes, epoll) rarely changes.
     */
    void sample() {
        long now = System.nanoTime();
        if (lastListedNanos != 0 && now - lastListedNanos < CALM_LISTING_NANOS && descriptorsRecovered()) {
            return;
        }
        lastListedNanos = now;
        long open = openDescriptorsOfThisProcess();
        if (open >= 0) {
            otherDescriptors = Math.max(0, open - sockets.get());
        }
    }

    /**
     * The key connections are counted under: an IPv4 address itself, an IPv6 address's /64 (one
     * subscriber's network: anyone with one has 2^64 addresses), IPv4-mapped IPv6 as IPv4.
     */
    static InetAddress networkOf(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] bytes = address.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= bytes[i] == 0;
            }
            mapped &= bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
            try {
                if (mapped) {
                    return InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
                }
                Arrays.fill(bytes, 8, 16, (byte) 0);
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
            }
        }
        return address;
    }

    private static long maxDescriptorsOfThisProcess() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    private static long openDescriptorsOfThisProcess() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            try {
                return unix.getOpenFileDescriptorCount(); // lists /proc/self/fd: needs a descriptor itself
            } catch (InternalError noDescriptorLeft) {
                return -1;
            }
        }
        return -1;
    }
}
