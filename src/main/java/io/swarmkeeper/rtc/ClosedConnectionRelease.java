package io.swarmkeeper.rtc;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.internal.NativeObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the native reference that webrtc-java 0.14.0 keeps to every peer connection it creates.
 *
 * <p>Its {@code createPeerConnection} hands Java a raw pointer holding one reference, and its
 * {@code RTCPeerConnection.close()} closes the connection and forgets the pointer without
 * releasing that reference (still so in 0.15.0): every closed connection stays in native memory,
 * about 90 KB each (measured with {@code .ci/bench ChurnProbe}). A seeder that serves visitors for
 * days would grow without bound.
 *
 * <p>webrtc-java offers one call that releases a native reference: {@code RTCDataChannel.dispose()},
 * which calls {@code Release()} on the object its handle points to and reports whether that was the
 * last reference. Both {@code DataChannelInterface} and {@code PeerConnectionInterface} derive from
 * {@code RefCountInterface} alone, so {@code Release()} sits at the same place for both: a stand-in
 * channel object given the connection's handle releases the connection. The connection is released
 * only after {@code close()}, when nothing of ours can reach it any more, and the result is checked:
 * if another reference remained, we say so in the log and leave it alone.
 *
 * <p>If the library's internals ever differ from this (another version), {@link #available()} is
 * false and connections are merely closed, as before.
 */
final class ClosedConnectionRelease {
    private static final Logger log = LoggerFactory.getLogger(ClosedConnectionRelease.class);
    private static final Field HANDLE;
    private static final Constructor<RTCDataChannel> STAND_IN;
    private static final AtomicLong FREED = new AtomicLong();
    private static final AtomicLong KEPT = new AtomicLong();

    static {
        Field handle = null;
        Constructor<RTCDataChannel> standIn = null;
        try {
            handle = NativeObject.class.getDeclaredField("nativeHandle");
            handle.setAccessible(true);
            if (handle.getType() != long.class) {
                handle = null;
            }
            standIn = RTCDataChannel.class.getDeclaredConstructor();
            standIn.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("closed WebRTC connections cannot be released in this webrtc-java version ({}):"
                    + " each one will stay in native memory", e.toString());
            handle = null;
            standIn = null;
        }
        HANDLE = handle;
        STAND_IN = handle == null ? null : standIn;
    }

    private ClosedConnectionRelease() {}

    static boolean available() {
        return STAND_IN != null;
    }

    /** Closed connections whose native objects were freed, since the process started. */
    static long freed() {
        return FREED.get();
    }

    /** Closed connections whose native objects could not be freed (leaked), since the process started. */
    static long kept() {
        return KEPT.get();
    }

    /** The connection's native pointer, to be read before {@code close()} forgets it; 0 if unknown. */
    static long handleOf(RTCPeerConnection connection) {
        if (!available()) {
            return 0;
        }
        try {
            return HANDLE.getLong(connection);
        } catch (IllegalAccessException e) {
            return 0;
        }
    }

    /**
     * Releases the reference webrtc-java kept to a connection that {@code close()} has closed.
     * Call exactly once per connection, after {@code close()} returned. Returns whether the native
     * connection was freed.
     */
    static boolean release(long handle) {
        if (handle == 0 || !available()) {
            KEPT.incrementAndGet();
            return false;
        }
        try {
            RTCDataChannel standIn = STAND_IN.newInstance();
            HANDLE.setLong(standIn, handle);
            standIn.dispose(); // Release() on the handle; sets the stand-in's handle to 0
            FREED.incrementAndGet();
            return true;
        } catch (Error e) {
            // dispose() throws an Error when other references remained: the connection lives on.
            log.warn("a closed WebRTC connection is still referenced elsewhere: {}", e.getMessage());
            KEPT.incrementAndGet();
            return false;
        } catch (ReflectiveOperationException e) {
            log.warn("could not release a closed WebRTC connection: {}", e.toString());
            KEPT.incrementAndGet();
            return false;
        }
    }
}
