package io.swarmkeeper.desktop;

/** A desktop without a tray: says why, and shows nothing. */
public record NoTray(String unavailableReason) implements Tray {
    public NoTray {
        if (unavailableReason == null || unavailableReason.isBlank()) {
            throw new IllegalArgumentException("say why there is no tray");
        }
    }

    @Override
    public void show(String tooltip, Runnable open, Runnable quit) {
        // nothing to show it in
    }

    @Override
    public void remove() {
        // never shown
    }
}
