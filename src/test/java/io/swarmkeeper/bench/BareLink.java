package io.swarmkeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.rtc.LinkConfig;
import io.swarmkeeper.rtc.PeerLink;
import io.swarmkeeper.rtc.RtcRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One side of the bare webrtc-java loop in its own process, for the data-path benchmark
 * ({@code .ci/bench-data-path}): a file sent as 64 KiB messages through {@link PeerLink} (the
 * flow control every sender needs, the direct buffers the seeder uses), counted and dropped by
 * the receiver. No protocol, no hashing, no store: what webrtc-java gives on this machine, per
 * process, beside what Swarmkeeper's {@code seed} and {@code fetch} give.
 *
 * <p>Signals go out on stdout and come in on stdin, one JSON line each ({@code {"signal":…}});
 * the benchmark's driver relays them between the two processes. The receiver ends with
 * {@code {"received":…,"openMs":…,"transferS":…,"cpuS":…}}, the sender, told {@code {"done":true}}
 * on stdin, with {@code {"cpuS":…}}.
 *
 * <pre>java -cp … io.swarmkeeper.bench.BareLink send FILE
 * java -cp … io.swarmkeeper.bench.BareLink receive SIZE</pre>
 */
public final class BareLink {
    private static final int MESSAGE = 64 * 1024;

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("send") || args[0].equals("receive"))) {
            System.err.println("usage: BareLink send FILE | BareLink receive SIZE");
            System.exit(2);
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // stdout carries only our JSON lines
        boolean sender = args[0].equals("send");
        long start = System.nanoTime();
        LinkConfig config = LinkConfig.withIceServers(List.of());
        CountDownLatch done = new CountDownLatch(1);
        long size = sender ? java.nio.file.Files.size(Path.of(args[1])) : Long.parseLong(args[1]);
        long[] received = {0};
        long[] first = {0};
        PeerLink.Listener listener = new PeerLink.Listener() {
            @Override
            public void onSignal(PeerLink link, ObjectNode signal) {
                ObjectNode line = MessageCodec.mapper().createObjectNode();
                line.set("signal", signal);
                synchronized (out) {
                    out.println(line);
                }
            }

            @Override
            public void onMessage(PeerLink link, byte[] message) {
                if (received[0] == 0) {
                    first[0] = System.nanoTime();
                }
                received[0] += message.length;
                if (received[0] >= size) {
                    long last = System.nanoTime();
                    ObjectNode line = MessageCodec.mapper().createObjectNode();
                    line.put("received", received[0]);
                    line.put("openMs", link.setupSteps().stream().filter(s -> s.name().equals("channel-open"))
                            .mapToLong(s -> s.nanos() - start).findFirst().orElse(-1) / 1e6);
                    line.put("transferS", (last - first[0]) / 1e9);
                    line.put("cpuS", cpuSeconds());
                    synchronized (out) {
                        out.println(line);
                    }
                    done.countDown();
                }
            }
        };
        PeerLink link = sender
                ? PeerLink.offer(RtcRuntime.shared(), config, "receiver", listener)
                : PeerLink.answer(RtcRuntime.shared(), config, "sender", listener);
        Thread input = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    JsonNode m = MessageCodec.mapper().readTree(line);
                    if (m.has("signal")) {
                        link.acceptSignal(m.get("signal"));
                    } else if (m.has("done")) {
                        done.countDown();
                    }
                }
            } catch (Exception e) {
                System.err.println("BareLink: stdin: " + e);
            }
        }, "signals-in");
        input.setDaemon(true);
        input.start();
        if (sender) {
            link.opened().get(30, TimeUnit.SECONDS);
            ByteBuffer message = ByteBuffer.allocateDirect(MESSAGE);
            try (FileChannel file = FileChannel.open(Path.of(args[1]))) {
                for (long at = 0; at < size; ) {
                    message.clear().limit((int) Math.min(MESSAGE, size - at));
                    while (message.hasRemaining()) {
                        if (file.read(message, at + message.position()) < 0) {
                            throw new java.io.EOFException("file ended at " + (at + message.position()));
                        }
                    }
                    link.send(message.flip());
                    at += message.limit();
                }
            }
        }
        if (!done.await(300, TimeUnit.SECONDS)) {
            System.err.println("BareLink: timed out");
            System.exit(1);
        }
        if (sender) {
            synchronized (out) {
                out.println("{\"cpuS\":" + cpuSeconds() + "}");
            }
        }
        link.close();
        System.exit(0);
    }

    /** CPU seconds of this whole process (all threads, native ones included). */
    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
