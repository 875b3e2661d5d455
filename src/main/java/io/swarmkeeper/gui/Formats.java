package io.swarmkeeper.gui;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How the views write numbers, rates, times and durations for people. */
public final class Formats {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Formats() {}

    /** A byte count the way people read it: 3.3 MB. */
    public static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        // One decimal, rounded half up as %.1f would, without String.format: the tables write
        // thousands of these a second under a busy swarm.
        long tenths = Math.round(value * 10);
        return (tenths / 10) + "." + (tenths % 10) + " " + units[unit];
    }

    /** Bytes per second: 1.2 MB/s. */
    public static String rate(long bytesPerSecond) {
        return bytes(bytesPerSecond) + "/s";
    }

    /** A time of day in the local zone: 14:03:27; empty for null. */
    public static String clock(Instant at) {
        return at == null ? "" : LocalTime.ofInstant(at, ZoneId.systemDefault()).format(CLOCK);
    }

    /** A round-trip time: 4 ms; empty for null. */
    public static String millis(Duration d) {
        return d == null ? "" : d.toMillis() + " ms";
    }

    /** How long ago or how long for, roughly: 45 s, 3 min, 2 h 5 min. */
    public static String span(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    /** A hash cut for a table cell: its first 12 characters and an ellipsis. */
    public static String shortHash(String hash) {
        if (hash == null) {
            return "";
        }
        return hash.length() <= 16 ? hash : hash.substring(0, 12) + "…";
    }
}
