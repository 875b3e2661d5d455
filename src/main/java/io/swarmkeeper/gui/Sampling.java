package io.swarmkeeper.gui;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.util.Duration;

/** A view reads its model every so often, instead of being told of every change. */
public final class Sampling {
    private final Runnable stop;

    private Sampling(Runnable stop) {
        this.stop = stop;
    }

    /** Runs {@code sample} now and then {@code every} until {@link #stop}, on the FX thread. FX thread. */
    public static Sampling every(Duration every, Runnable sample) {
        Timeline timeline = new Timeline(new KeyFrame(every, e -> sample.run()));
        timeline.setCycleCount(Timeline.INDEFINITE);
        sample.run();
        timeline.play();
        return new Sampling(timeline::stop);
    }

    /**
     * Takes a sample with {@code take} every {@code every} on a thread of its own, and shows it
     * with {@code show} on the FX thread: the taking (a snapshot of a thousand peers) then costs
     * the window nothing. A sample is handed over only once the one before it was shown, so that
     * a busy FX thread is never queued more than one.
     */
    public static <T> Sampling offThread(String name, Duration every, Supplier<T> take, Consumer<T> show) {
        AtomicBoolean pending = new AtomicBoolean();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, (long) every.toMillis());
        timer.scheduleWithFixedDelay(() -> {
            if (pending.get()) {
                return;
            }
            T sample;
            try {
                sample = take.get();
            } catch (RuntimeException e) {
                System.getLogger(Sampling.class.getName()).log(System.Logger.Level.WARNING, name + ": a sample failed", e);
                return;
            }
            pending.set(true);
            Platform.runLater(() -> {
                pending.set(false);
                if (!timer.isShutdown()) {
                    show.accept(sample);
                }
            });
        }, millis, millis, TimeUnit.MILLISECONDS);
        return new Sampling(timer::shutdownNow);
    }

    public void stop() {
        stop.run();
    }
}
