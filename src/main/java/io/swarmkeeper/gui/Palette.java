package io.swarmkeeper.gui;

import javafx.scene.paint.Color;

/** The colours every view uses for the same things, so that a colour means one thing throughout. */
public final class Palette {
    /** Bytes going out: served to peers. */
    public static final Color UPLOAD = Color.web("#2f74c0");
    /** Bytes coming in: fetched from peers. */
    public static final Color DOWNLOAD = Color.web("#e07b10");
    /** A failed hash check, a distrusted peer. */
    public static final Color FAILURE = Color.web("#d0312d");
    /** This node. */
    public static final Color SELF = Color.web("#2e8b57");
    public static final Color PEER = Color.web("#5b6770");
    public static final Color GRID = Color.web("#d8dde2");
    public static final Color TEXT = Color.web("#263238");

    private Palette() {}

    /** The colour as CSS. */
    public static String css(Color c) {
        return String.format(java.util.Locale.ROOT, "#%02x%02x%02x", Math.round(c.getRed() * 255),
                Math.round(c.getGreen() * 255), Math.round(c.getBlue() * 255));
    }
}
