package io.swarmkeeper.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A webrtc-java factory and the connections made with it. It is created with a dummy audio
 * module: the default one aborts the JVM on a machine without sound (platform-notes), and we only
 * ever use data channels.
 *
 * <p>The process uses one at a time ({@link #shared()}), and replaces it after
 * {@link #connectionsPerFactory()} connections: webrtc-java 0.14.0 leaks two small Java objects
 * per received message through JNI local references on the factory's own threads (its issue
 * #265), and those are freed only when the threads end, that is when the factory is disposed
 * (measured with {@code RuntimeRecycleProbe}: 4,000 leaked buffers → 0). A replaced factory keeps
 * serving its open connections and is disposed once the last of them is closed and freed; one
 * whose connection could not be freed is never disposed, since libwebrtc crashes when a factory
 * goes while a connection made by it remains.
 */
public final class RtcRuntime {
    private static final Logger log = LoggerFactory.getLogger(RtcRuntime.class);
    /** Connections a factory makes before the next one takes over (a seeder makes ~10,000 an hour in the demo). */
    static final long DEFAULT_CONNECTIONS_PER_FACTORY = 5_000;

    private static RtcRuntime current;
    private static long connectionsPerFactory = Long.getLong("swarmkeeper.webrtc.connectionsPerFactory",
            DEFAULT_CONNECTIONS_PER_FACTORY); // the property is for benchmarks
    private static final AtomicLong DISPOSED = new AtomicLong();

    private final AudioDeviceModule audio; // the factory uses it natively: kept for its whole life
    private final PeerConnectionFactory factory;
    private long made; // guarded by this
    private long open; // guarded by this
    private boolean retired; // guarded by this
    private boolean disposed; // guarded by this
    private boolean keptConnection; // guarded by this: a connection of ours was not freed

    private RtcRuntime() {
        try {
            audio = new AudioDeviceModule(AudioLayer.kDummyAudio);
        } catch (LinkageError e) {
            throw new IllegalStateException("WebRTC is unavailable: its native library does not load ("
                    + e.getMessage() + "). On Debian: apt-get install libpulse0 libudev1 libx11-6 libxfixes3"
                    + " libxrandr2 libxcomposite1 libdbus-1-3", e);
        }
        factory = new PeerConnectionFactory(audio);
    }

    /** The runtime new connections are made with, created on first use and replaced as said above. */
    public static synchronized RtcRuntime shared() {
        if (current == null) {
            current = new RtcRuntime();
        }
        return current;
    }

    /**
     * Creates the shared runtime in the background when there is none yet, so that the first link
     * does not wait for the native library and factory to start (about 150 ms here). A failure is
     * left for the first link to report.
     */
    public static void warmUp() {
        synchronized (RtcRuntime.class) {
            if (current != null) {
                return;
            }
        }
        Thread t = new Thread(() -> {
            try {
                shared();
            } catch (RuntimeException | LinkageError e) {
                log.debug("WebRTC did not start ahead of the first link: {}", e.getMessage());
            }
        }, "webrtc-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Connections per factory before it is replaced. */
    static synchronized long connectionsPerFactory() {
        return connectionsPerFactory;
    }

    /** Changes {@link #connectionsPerFactory()} (tests use small numbers); returns the previous value. */
    static synchronized long connectionsPerFactory(long connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections per factory must be at least 1");
        }
        long previous = connectionsPerFactory;
        connectionsPerFactory = connections;
        return previous;
    }

    /** Factories replaced and disposed since the process started. */
    static long disposedCount() {
        return DISPOSED.get();
    }

    /**
     * Makes a connection with this runtime's factory, or, if this runtime has been replaced
     * meanwhile, with the current one. The caller must call {@link #connectionDone} exactly once
     * on the runtime returned in {@code made[0]}, after the connection was closed.
     */
    RTCPeerConnection connect(RTCConfiguration configuration, PeerConnectionObserver observer, RtcRuntime[] made) {
        RtcRuntime runtime = this;
        while (true) {
            synchronized (runtime) {
                if (!runtime.retired) {
                    RTCPeerConnection connection = runtime.factory.createPeerConnection(configuration, observer);
                    runtime.open++;
                    runtime.made++;
                    made[0] = runtime;
                    if (runtime.made >= connectionsPerFactory()) {
                        runtime.retire();
                    }
                    return connection;
                }
            }
            runtime = shared();
        }
    }

    /** Called once per connection after it was closed; {@code freed} says whether its native side went. */
    void connectionDone(boolean freed) {
        boolean disposeNow;
        synchronized (this) {
            open--;
            if (!freed) {
                keptConnection = true;
            }
            disposeNow = retired && open == 0 && !keptConnection && !disposed;
            if (disposeNow) {
                disposed = true;
            }
        }
        if (disposeNow) {
            disposeLater();
        }
    }

    /** Stops making connections here: the next {@link #shared()} makes a new runtime. Holds this. */
    private void retire() {
        retired = true;
        synchronized (RtcRuntime.class) {
            if (current == this) {
                current = null;
            }
        }
        log.debug("WebRTC factory replaced after {} connections", made);
    }

    /** Disposes the factory off the caller's thread (a link's teardown), which must not wait for libwebrtc's threads. */
    private void disposeLater() {
        Thread t = new Thread(() -> {
            try {
                factory.dispose();
                audio.dispose();
                DISPOSED.incrementAndGet();
                log.debug("retired WebRTC factory disposed");
            } catch (RuntimeException e) {
                log.warn("disposing a retired WebRTC factory: {}", e.toString());
            }
        }, "rtc-factory-dispose");
        t.setDaemon(true);
        t.start();
    }
}
