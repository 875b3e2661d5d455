package io.swarmkeeper.settings;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 0}, {@code 90s}, {@code 10m}, {@code 1h}, {@code 1d},
 * {@code 500ms}. The one reading of durations, for the command line and the settings file alike.
 */
public final class DurationText {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    private DurationText() {}

    /** The duration {@code value} says; throws {@link IllegalArgumentException} saying why it is not one. */
    public static Duration parse(String value) {
        Matcher m = FORM.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a duration (examples: 0, 30s, 10m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        if (unit.isEmpty() && n != 0) {
            throw new IllegalArgumentException("'" + value + "' needs a unit: ms, s, m, h or d (e.g. " + n + "m)");
        }
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ZERO;
        };
    }

    /** {@code duration} in the largest whole unit {@link #parse} reads back: {@code 10m}, {@code 90s}, {@code 0}. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms == 0) {
            return "0";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
