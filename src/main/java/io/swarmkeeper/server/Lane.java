package io.swarmkeeper.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's handlers, run one after another in the order they came, on a shared pool:
 * where handlers wait (for a cluster's Redis), they wait there, not on the network event loop
 * that serves thousands of other connections. A server alone does not use lanes.
 */
final class Lane implements Executor {
    private static final Logger log = LoggerFactory.getLogger(Lane.class);
    /** Tasks one connection may have waiting; its token bucket keeps it far below in practice. */
    static final int MAX_WAITING = 1024;

    private final Executor pool;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private boolean running; // guarded by this

    Lane(Executor pool) {
        this.pool = pool;
    }

    /** Queues a task; throws {@link RejectedExecutionException} when {@link #MAX_WAITING} already wait. */
    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (waiting.size() >= MAX_WAITING) {
                throw new RejectedExecutionException("lane full");
            }
            waiting.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                running = false;
                waiting.clear();
            }
            throw e;
        }
    }

    /** Nothing queued or running: a task may run in the caller's thread without passing any. */
    synchronized boolean idle() {
        return !running && waiting.isEmpty();
    }

    private void drain() {
        while (true) {
            Runnable task;
            synchronized (this) {
                task = waiting.poll();
                if (task == null) {
                    running = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("a connection's handler failed", e);
            }
        }
    }
}
