package io.swarmkeeper.gui;

import io.swarmkeeper.monitor.NodeSnapshot;

/** A view-model that the window hands each sampled snapshot of the node, on the FX thread. */
public interface SnapshotView {
    void show(NodeSnapshot snapshot);
}
