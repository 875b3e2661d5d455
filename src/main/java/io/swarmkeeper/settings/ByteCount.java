package io.swarmkeeper.settings;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them: {@code 0}, {@code 1500000}, {@code 500MB}, {@code 10GiB},
 * {@code 2T}. The one reading of sizes, for the command line and the settings file alike.
 */
public final class ByteCount {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([kmgt])(i?))?b?", Pattern.CASE_INSENSITIVE);
    private static final String PREFIXES = "KMGT";

    private ByteCount() {}

    /** The number of bytes {@code value} says; throws {@link IllegalArgumentException} saying why it is not a size. */
    public static long parse(String value) {
        Matcher m = FORM.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a size (examples: 0, 1500000, 500MB, 10GiB)");
        }
        String prefix = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        int power = prefix.isEmpty() ? 0 : "kmgt".indexOf(prefix) + 1;
        double unit = Math.pow(m.group(3) == null || m.group(3).isEmpty() ? 1000 : 1024, power);
        double bytes = Double.parseDouble(m.group(1)) * unit;
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("'" + value + "' is too large");
        }
        if (bytes != Math.rint(bytes)) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number of bytes");
        }
        return (long) bytes;
    }

    /** {@code bytes} in the shortest exact form {@link #parse} reads back: {@code 8MiB}, {@code 500MB}, {@code 1536}. */
    public static String format(long bytes) {
        if (bytes <= 0) {
            return String.valueOf(bytes);
        }
        for (int power = PREFIXES.length(); power >= 1; power--) {
            long binary = 1L << (10 * power);
            if (bytes % binary == 0) {
                return bytes / binary + PREFIXES.substring(power - 1, power) + "iB";
            }
            long decimal = (long) Math.pow(1000, power);
            if (bytes % decimal == 0) {
                return bytes / decimal + PREFIXES.substring(power - 1, power) + "B";
            }
        }
        return String.valueOf(bytes);
    }
}
