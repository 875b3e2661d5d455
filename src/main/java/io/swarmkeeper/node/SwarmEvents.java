package io.swarmkeeper.node;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.transfer.TransferMessage;
import io.swarmkeeper.transfer.TransferObserver;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event stream of one or more nodes. Anyone (the GUI, a test, a log) subscribes; publishing
 * never fails because of a listener. Each node turns its transfers into events here through its
 * own {@link #transfers observer}, which names the node; progress is thinned to one event per
 * 256 KiB.
 */
public final class SwarmEvents {
    private static final Logger log = LoggerFactory.getLogger(SwarmEvents.class);
    private static final long PROGRESS_STEP = 256 * 1024;

    private final List<Consumer<SwarmEvent>> listeners = new CopyOnWriteArrayList<>();

    public void subscribe(Consumer<SwarmEvent> listener) {
        listeners.add(listener);
    }

    public void unsubscribe(Consumer<SwarmEvent> listener) {
        listeners.remove(listener);
    }

    public void publish(SwarmEvent event) {
        for (Consumer<SwarmEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("event listener failed on {}", event, e);
            }
        }
    }

    /** Transfers of the node {@code node} names (asked at each event: its id may come later), as events here. */
    public TransferObserver transfers(Supplier<String> node) {
        return new TransferObserver() {
            @Override
            public void started(String peerId, ResourceId id, Direction direction, long totalBytes) {
                publish(new SwarmEvent.Transfer(Instant.now(), node.get(), peerId, id, direction, 0, totalBytes, false, null));
            }

            @Override
            public void progress(String peerId, ResourceId id, Direction direction, long doneBytes, long totalBytes) {
                if (doneBytes % PROGRESS_STEP < TransferMessage.MAX_CHUNK_BYTES && doneBytes < totalBytes) {
                    publish(new SwarmEvent.Transfer(Instant.now(), node.get(), peerId, id, direction, doneBytes, totalBytes,
                            false, null));
                }
            }

            @Override
            public void finished(String peerId, ResourceId id, Direction direction, long bytes, String failure) {
                publish(new SwarmEvent.Transfer(Instant.now(), node.get(), peerId, id, direction, bytes, bytes, true, failure));
            }
        };
    }
}
