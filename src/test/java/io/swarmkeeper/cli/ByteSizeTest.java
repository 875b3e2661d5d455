package io.swarmkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizeTest {
    @Test
    void readsSizesAsPeopleWriteThem() {
        assertEquals(0, ByteSize.parse("0"));
        assertEquals(1_500_000, ByteSize.parse("1500000"));
        assertEquals(500_000_000L, ByteSize.parse("500MB"));
        assertEquals(500_000_000L, ByteSize.parse("500 m"));
        assertEquals(10L << 30, ByteSize.parse("10GiB"));
        assertEquals(8L << 20, ByteSize.parse("8MiB"));
        assertEquals(1536, ByteSize.parse("1.5KiB"));
        assertEquals(2_000_000_000_000L, ByteSize.parse("2T"));
    }

    @Test
    void refusesWhatIsNotASize() {
        for (String bad : new String[] {"", "lots", "5i", "5ib", "-1", "0.5B", "1.0000001k", "99999999999T"}) {
            assertThrows(TypeConversionException.class, () -> ByteSize.parse(bad), bad);
        }
    }
}
