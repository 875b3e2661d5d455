package io.swarmkeeper.gui;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.util.Duration;

/** A view reads its model every so often on the FX thread, instead of being told of every change. */
public final class Sampling {
    private final Timeline timeline;

    private Sampling(Duration every, Runnable sample) {
        timeline = new Timeline(new KeyFrame(every, e -> sample.run()));
        timeline.setCycleCount(Timeline.INDEFINITE);
    }

    /** Runs {@code sample} now and then {@code every} until {@link #stop}. FX thread. */
    public static Sampling every(Duration every, Runnable sample) {
        Sampling sampling = new Sampling(every, sample);
        sample.run();
        sampling.timeline.play();
        return sampling;
    }

    public void stop() {
        timeline.stop();
    }
}
