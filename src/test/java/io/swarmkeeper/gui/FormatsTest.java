package io.swarmkeeper.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FormatsTest {
    @Test
    void bytesAreWrittenWithOneDecimalInThousands() {
        assertEquals("0 B", Formats.bytes(0));
        assertEquals("999 B", Formats.bytes(999));
        assertEquals("1.0 kB", Formats.bytes(1000));
        assertEquals("1.0 kB", Formats.bytes(1049));
        assertEquals("1.1 kB", Formats.bytes(1051));
        assertEquals("65.5 kB", Formats.bytes(65_536));
        assertEquals("3.3 MB", Formats.bytes(3_300_000));
        assertEquals("268.4 MB", Formats.bytes(268_435_456));
        assertEquals("1000.0 kB", Formats.bytes(999_999), "rounds up as %.1f does, within the unit");
        assertEquals("9223372.0 TB", Formats.bytes(Long.MAX_VALUE), "the largest unit keeps growing");
        assertEquals("1.2 MB/s", Formats.rate(1_234_567));
    }
}
