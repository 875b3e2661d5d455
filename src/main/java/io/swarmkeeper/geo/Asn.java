package io.swarmkeeper.geo;

/**
 * An autonomous system: the network (an ISP, a hosting company) that announces an address.
 * {@code number} is unsigned 32-bit (4-byte ASNs go past 2^31), hence a long.
 */
public record Asn(long number, String organisation) {
    public static final long MAX = 0xFFFF_FFFFL;

    public Asn {
        if (number < 0 || number > MAX) {
            throw new IllegalArgumentException("not an AS number: " + number);
        }
    }
}
