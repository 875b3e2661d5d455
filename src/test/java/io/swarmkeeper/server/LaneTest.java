package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LaneTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void eachLaneRunsItsTasksInOrderOneAtATimeWhileLanesRunSideBySide() throws Exception {
        int lanes = 8;
        int tasks = Lane.MAX_WAITING - 24; // queued faster than they run: within the bound
        List<List<Integer>> seen = new ArrayList<>();
        AtomicInteger[] running = new AtomicInteger[lanes];
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(lanes * tasks);
        List<Lane> all = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
            seen.add(Collections.synchronizedList(new ArrayList<>()));
            running[l] = new AtomicInteger();
            all.add(new Lane(pool));
        }
        for (int i = 0; i < tasks; i++) {
            for (int l = 0; l < lanes; l++) {
                int lane = l;
                int n = i;
                all.get(l).execute(() -> {
                    if (running[lane].incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    seen.get(lane).add(n);
                    running[lane].decrementAndGet();
                    done.countDown();
                });
            }
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertEquals(0, overlaps.get(), "never two tasks of one lane at once");
        for (List<Integer> s : seen) {
            for (int i = 0; i < tasks; i++) {
                assertEquals(i, s.get(i), "in the order queued");
            }
        }
    }

    @Test
    void aTaskThatThrowsDoesNotStopItsLaneAndAFullLaneRefuses() throws Exception {
        Lane lane = new Lane(pool);
        CountDownLatch after = new CountDownLatch(1);
        lane.execute(() -> {
            throw new IllegalStateException("a handler's bug");
        });
        lane.execute(after::countDown);
        assertTrue(after.await(5, TimeUnit.SECONDS));

        CountDownLatch hold = new CountDownLatch(1);
        Lane blocked = new Lane(pool);
        blocked.execute(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50); // the first task is running: the others wait
        for (int i = 0; i < Lane.MAX_WAITING; i++) {
            blocked.execute(() -> {});
        }
        assertThrows(RejectedExecutionException.class, () -> blocked.execute(() -> {}));
        hold.countDown();
    }
}
