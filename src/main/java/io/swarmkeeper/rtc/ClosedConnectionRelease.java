package io.swarmkeeper.rtc;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCPeerConnection;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the native reference that webrtc-java keeps to every peer connection it creates.
 *
 * <p>Its {@code createPeerConnection} hands Java a raw pointer holding one reference, and its
 * {@code RTCPeerConnection.close()} closes the connection and forgets the pointer without
 * releasing that reference (0.14.0 and 0.15.0 alike): every closed connection stays in native
 * memory, about 90 KB each (measured with {@code .ci/bench ChurnProbe}). A seeder that serves
 * visitors for days would grow without bound.
 *
 * <p>webrtc-java offers one call that releases a native reference: {@code RTCDataChannel.dispose()},
 * which calls {@code Release()} on the object its handle points to, then throws an {@link Error}
 * if that was not the last reference. {@code DataChannelInterface} and
 * {@code PeerConnectionInterface} both derive from {@code RefCountInterface} alone, so
 * {@code Release()} sits in the same place for both (checked in the shipped library: the proxy
 * object has one virtual table, {@code Release} is its second slot). A stand-in channel object
 * given the connection's handle therefore releases the connection.
 *
 * <p>Guards: only for the webrtc-java versions whose {@code close()} is known to keep the
 * reference ({@link #KNOWN_TO_KEEP}); only after {@code close()} returned normally and cleared
 * its own handle; once per connection. Anything unexpected turns the release off and connections
 * are merely closed, as before.
 */
final class ClosedConnectionRelease {
    private static final Logger log = LoggerFactory.getLogger(ClosedConnectionRelease.class);
    /** webrtc-java versions whose RTCPeerConnection.close() does not release the native connection. */
    static final Set<String> KNOWN_TO_KEEP = Set.of("0.14.0", "0.15.0");

    private static final Field HANDLE;
    private static final Constructor<RTCDataChannel> STAND_IN;
    private static final AtomicLong FREED = new AtomicLong();
    private static final AtomicLong KEPT = new AtomicLong();

    static {
        Field handle = null;
        Constructor<RTCDataChannel> standIn = null;
        String version = null;
        try {
            version = webrtcJavaVersion();
            if (KNOWN_TO_KEEP.contains(version)) {
                handle = nativeHandleField();
                standIn = RTCDataChannel.class.getDeclaredConstructor();
                standIn.setAccessible(true);
            } else {
                log.info("webrtc-java {}: closed connections are left to the library to free", version);
            }
        } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
            log.warn("webrtc-java {}: closed connections cannot be released ({}); each stays in native memory",
                    version, e.toString());
            handle = null;
            standIn = null;
        }
        HANDLE = handle;
        STAND_IN = handle == null ? null : standIn;
    }

    private ClosedConnectionRelease() {}

    /** The version in webrtc-java's own Maven metadata (it survives shading), or "unknown". */
    private static String webrtcJavaVersion() throws IOException {
        try (InputStream in = RTCPeerConnection.class.getResourceAsStream(
                "/META-INF/maven/dev.onvoid.webrtc/webrtc-java/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        }
    }

    /** NativeObject.nativeHandle, found by walking up from RTCPeerConnection (its package is not exported). */
    private static Field nativeHandleField() throws NoSuchFieldException {
        for (Class<?> c = RTCPeerConnection.class; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("nativeHandle");
                if (f.getType() != long.class) {
                    throw new NoSuchFieldException("nativeHandle is a " + f.getType());
                }
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // try the superclass
            }
        }
        throw new NoSuchFieldException("nativeHandle");
    }

    static boolean available() {
        return STAND_IN != null;
    }

    /** Closed connections whose native objects were freed, since the process started. */
    static long freed() {
        return FREED.get();
    }

    /** Closed connections whose native objects stayed in memory (not released, or still referenced elsewhere). */
    static long kept() {
        return KEPT.get();
    }

    /** The connection's native pointer, read before {@code close()} forgets it; 0 if unknown. Never throws. */
    static long handleOf(RTCPeerConnection connection) {
        if (!available()) {
            return 0;
        }
        try {
            return HANDLE.getLong(connection);
        } catch (IllegalAccessException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Called once per connection after {@code close()}: releases the reference webrtc-java kept
     * ({@code handle}, read before the close) if {@code closed} returned normally and cleared its
     * handle. Returns whether the native connection was freed.
     */
    static boolean afterClose(RTCPeerConnection closed, boolean closeReturned, long handle) {
        if (handle == 0 || !closeReturned || !available() || handleOf(closed) != 0) {
            KEPT.incrementAndGet();
            return false;
        }
        RTCDataChannel standIn;
        try {
            standIn = STAND_IN.newInstance();
            HANDLE.setLong(standIn, handle);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("could not release a closed WebRTC connection: {}", e.toString());
            KEPT.incrementAndGet();
            return false;
        }
        try {
            standIn.dispose(); // Release() on the handle, then the stand-in's handle is cleared
            FREED.incrementAndGet();
            return true;
        } catch (Error e) {
            if (e.getClass() != Error.class) {
                throw e; // out of memory, linkage and the like: not the library's answer
            }
            // Our reference is gone either way; someone else's keeps the connection alive until it goes.
            log.warn("a closed WebRTC connection is still referenced elsewhere: {}", e.getMessage());
            KEPT.incrementAndGet();
            return false;
        }
    }
}
