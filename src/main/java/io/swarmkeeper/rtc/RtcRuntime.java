package io.swarmkeeper.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;

/**
 * The one webrtc-java factory of this process. It is created with a dummy audio module: the
 * default one aborts the JVM on a machine without sound (platform-notes), and we only ever use
 * data channels. It lives as long as the process: libwebrtc crashes if a factory is disposed while
 * any connection made by it is still being torn down, and the process's end frees it anyway.
 */
public final class RtcRuntime {
    private static RtcRuntime shared;

    private final AudioDeviceModule audio; // the factory uses it natively: kept for its whole life
    private final PeerConnectionFactory factory;

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

    PeerConnectionFactory factory() {
        return factory;
    }
}
