package io.swarmkeeper.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte counts as people write them: {@code 0}, {@code 1500000}, {@code 500MB}, {@code 10GiB}, {@code 2T}. */
final class ByteSize implements ITypeConverter<Long> {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([kmgt])(i?))?b?", Pattern.CASE_INSENSITIVE);

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String value) {
        Matcher m = FORM.matcher(value.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size (examples: 0, 1500000, 500MB, 10GiB)");
        }
        String prefix = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        int power = prefix.isEmpty() ? 0 : "kmgt".indexOf(prefix) + 1;
        double unit = Math.pow(m.group(3) == null || m.group(3).isEmpty() ? 1000 : 1024, power);
        double bytes = Double.parseDouble(m.group(1)) * unit;
        if (bytes >= Long.MAX_VALUE) {
            throw new TypeConversionException("'" + value + "' is too large");
        }
        if (bytes != Math.rint(bytes)) {
            throw new TypeConversionException("'" + value + "' is not a whole number of bytes");
        }
        return (long) bytes;
    }
}
