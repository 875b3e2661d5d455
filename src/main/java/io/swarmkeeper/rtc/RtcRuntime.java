package io.swarmkeeper.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;

/**
 * The one webrtc-java factory of this process. It is created with a dummy audio module: the
 * default one aborts the JVM on a machine without sound (platform-notes), and we only ever use
 * data channels.
 */
public final class RtcRuntime {
    private static RtcRuntime shared;

    private final AudioDeviceModule audio;
    private final PeerConnectionFactory factory;
    private boolean disposed;

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

    /** The process-wide runtime, created on first use. */
    public static synchronized RtcRuntime shared() {
        if (shared == null) {
            shared = new RtcRuntime();
        }
        return shared;
    }

    synchronized PeerConnectionFactory factory() {
        if (disposed) {
            throw new IllegalStateException("WebRTC runtime already disposed");
        }
        return factory;
    }

    /**
     * Frees the native factory. Call only when every link is closed, just before the process ends:
     * disposing under live connections crashes libwebrtc.
     */
    public static synchronized void disposeShared() {
        if (shared != null && !shared.disposed) {
            shared.disposed = true;
            shared.factory.dispose();
            shared.audio.dispose();
        }
        shared = null;
    }
}
