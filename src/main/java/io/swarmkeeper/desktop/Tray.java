package io.swarmkeeper.desktop;

/**
 * The icon in the desktop's system tray that keeps the app reachable while its window is
 * closed. Where the desktop has no tray, {@link #unavailableReason} says why, for Settings to
 * show beside the disabled "minimise to tray", and nothing fails.
 */
public interface Tray {
    /** Null when the tray can be used; else why not, for people. */
    String unavailableReason();

    default boolean available() {
        return unavailableReason() == null;
    }

    /**
     * Puts the icon in the tray with {@code tooltip}; {@code open} runs when the user opens the
     * window from it and {@code quit} when they quit from it (on the desktop's event thread: hand
     * over to the FX thread). Does nothing where there is no tray.
     */
    void show(String tooltip, Runnable open, Runnable quit);

    /** Takes the icon out of the tray again; nothing when it is not there. */
    void remove();

    /** The tray of this desktop: {@code java.awt.SystemTray} where it is supported, else one that says why not. */
    static Tray forThisDesktop() {
        if (java.awt.GraphicsEnvironment.isHeadless()) {
            return new NoTray("this session has no display, so no system tray (headless)");
        }
        try {
            if (!java.awt.SystemTray.isSupported()) {
                return new NoTray("this desktop has no system tray");
            }
        } catch (RuntimeException | LinkageError e) {
            return new NoTray("the system tray cannot be reached: " + e);
        }
        return new AwtTray();
    }
}
