package io.swarmkeeper.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Where there is no tray (the tests run headless), the app is told why, and nothing fails. */
class TrayTest {
    @Test
    void aHeadlessSessionHasNoTrayAndSaysWhy() {
        Tray tray = Tray.forThisDesktop();
        assertFalse(tray.available());
        assertEquals("this session has no display, so no system tray (headless)", tray.unavailableReason());
        tray.show("Swarmkeeper: seeding", () -> { }, () -> { });
        tray.remove();
    }

    @Test
    void noTrayNeedsAReason() {
        assertThrows(IllegalArgumentException.class, () -> new NoTray(" "));
    }
}
