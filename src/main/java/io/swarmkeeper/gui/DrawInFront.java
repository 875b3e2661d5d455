package io.swarmkeeper.gui;

import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.value.ObservableBooleanValue;

/**
 * A canvas's drawing, done only while its tab is in front (JavaFX renders a hidden canvas's
 * drawing all the same) and at once when the tab comes forward. In front until told otherwise.
 */
public final class DrawInFront {
    private final Runnable paint;
    private ObservableBooleanValue inFront = new SimpleBooleanProperty(true);

    public DrawInFront(Runnable paint) {
        this.paint = paint;
    }

    /** Follows {@code inFront} from now on (a {@link TabView#drawWhile}). FX thread. */
    public void follow(ObservableBooleanValue inFront) {
        this.inFront = inFront;
        inFront.addListener((o, was, now) -> {
            if (now) {
                paint.run();
            }
        });
    }

    /** Paints now if in front. FX thread. */
    public void draw() {
        if (inFront.get()) {
            paint.run();
        }
    }
}
