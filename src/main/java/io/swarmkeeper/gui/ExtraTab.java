package io.swarmkeeper.gui;

import java.util.Objects;
import javafx.scene.Node;

/** A tab that the window's owner adds beside the node's views (Sites, Settings, Store, About…). */
public record ExtraTab(String title, Node content) {
    public ExtraTab {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(content, "content");
    }
}
