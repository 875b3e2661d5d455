package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationOptionTest {
    @Test
    void readsDurationsAsPeopleWriteThem() {
        assertEquals(Duration.ZERO, DurationOption.parse("0"));
        assertEquals(Duration.ofMillis(500), DurationOption.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), DurationOption.parse("30s"));
        assertEquals(Duration.ofMinutes(10), DurationOption.parse("10m"));
        assertEquals(Duration.ofMinutes(10), DurationOption.parse(" 10 M "));
        assertEquals(Duration.ofHours(1), DurationOption.parse("1h"));
        assertEquals(Duration.ofDays(2), DurationOption.parse("2d"));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : new String[] {"", "soon", "10", "-5m", "1.5h", "10 minutes", "9999999999s"}) {
            assertThrows(TypeConversionException.class, () -> DurationOption.parse(bad), bad);
        }
    }
}
