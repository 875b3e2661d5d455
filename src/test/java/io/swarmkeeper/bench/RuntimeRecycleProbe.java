package io.swarmkeeper.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks by hand whether disposing a webrtc-java factory frees what its threads leaked: webrtc-java
 * 0.14.0 keeps two Java objects per received message alive through JNI local references on its
 * own threads (its issue #265), and detaches those threads (freeing their local references) only
 * when they end, which is when their factory is disposed. Links 40 pairs on a private runtime,
 * 50 messages each way, closes them, counts live RTCDataChannelBuffer objects, disposes the
 * runtime, counts again.
 *
 * <pre>.ci/bench RuntimeRecycleProbe</pre>
 */
public final class RuntimeRecycleProbe {
    public static void main(String[] args) throws Exception {
        Constructor<RtcRuntime> make = RtcRuntime.class.getDeclaredConstructor();
        make.setAccessible(true);
        RtcRuntime runtime = make.newInstance();
        LinkConfig config = LinkConfig.withIceServers(List.of());
        for (int i = 0; i < 40; i++) {
            cycle(runtime, config);
        }
        Thread.sleep(1000);
        System.out.println("after 40 link pairs, 4,000 messages: live RTCDataChannelBuffer " + LiveObjects.instances("dev.onvoid.webrtc.RTCDataChannelBuffer")
                + ", DirectByteBuffer " + LiveObjects.instances("java.nio.DirectByteBuffer") + "; threads " + threads());
        Field factory = RtcRuntime.class.getDeclaredField("factory");
        Field audio = RtcRuntime.class.getDeclaredField("audio");
        factory.setAccessible(true);
        audio.setAccessible(true);
        ((dev.onvoid.webrtc.PeerConnectionFactory) factory.get(runtime)).dispose();
        ((dev.onvoid.webrtc.media.audio.AudioDeviceModule) audio.get(runtime)).dispose();
        Thread.sleep(1000);
        System.out.println("after disposing the factory: live RTCDataChannelBuffer " + LiveObjects.instances("dev.onvoid.webrtc.RTCDataChannelBuffer")
                + ", DirectByteBuffer " + LiveObjects.instances("java.nio.DirectByteBuffer") + "; threads " + threads());
        System.exit(0);
    }

    private static void cycle(RtcRuntime runtime, LinkConfig config) throws Exception {
        AtomicReference<PeerLink> a = new AtomicReference<>();
        AtomicReference<PeerLink> b = new AtomicReference<>();
        CountDownLatch received = new CountDownLatch(100);
        b.set(PeerLink.answer(runtime, config, "a", relay(a, received)));
        a.set(PeerLink.offer(runtime, config, "b", relay(b, received)));
        a.get().opened().get(20, TimeUnit.SECONDS);
        b.get().opened().get(20, TimeUnit.SECONDS);
        for (int m = 0; m < 50; m++) {
            a.get().send(new byte[100]);
            b.get().send(new byte[100]);
        }
        if (!received.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("messages lost");
        }
        a.get().close();
        b.get().close();
    }

    /** Passes signals to the other end and counts messages received. */
    private static PeerLink.Listener relay(AtomicReference<PeerLink> other, CountDownLatch received) {
        return new PeerLink.Listener() {
            @Override
            public void onSignal(PeerLink link, ObjectNode signal) {
                other.get().acceptSignal(signal);
            }

            @Override
            public void onMessage(PeerLink link, byte[] message) {
                received.countDown();
            }
        };
    }

    private static long threads() throws Exception {
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            return tasks.count();
        }
    }
}
