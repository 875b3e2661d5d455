package io.swarmkeeper.gui;

import javafx.beans.value.ObservableBooleanValue;
import javafx.scene.Node;

/**
 * What one of the node's tabs shows. A view told that its tab is behind another need not draw:
 * JavaFX lays out a hidden table whose rows change and renders a hidden canvas's drawing, and
 * under a big swarm that work, for tabs nobody sees, kept the window from answering.
 */
public interface TabView {
    Node root();

    /** {@code inFront} is true while this view's tab is the selected one. Called once, on the FX thread. */
    void drawWhile(ObservableBooleanValue inFront);
}
