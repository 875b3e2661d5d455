package io.swarmkeeper.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.PriorityQueue;

/**
 * A minimal, single-threaded WebSocket client engine for load generation: one selector drives
 * thousands of connections, so that the generator measures the server rather than itself.
 * Text frames only, masked with a zero key (valid, and free), pings answered, no extensions.
 * Everything — I/O, timers, the caller's callbacks — runs on the thread that calls {@link #run}.
 */
final class RawLoadClient {
    /** What the load logic does with connections. Called on the engine's thread. */
    interface Handler {
        void onOpen(Conn conn);

        void onText(Conn conn, String text);

        void onClose(Conn conn);

        /** Called every loop turn (about every millisecond). */
        void onTick(long nowNanos);
    }

    /** One connection. */
    final class Conn {
        final Object owner;
        private final InetSocketAddress target;
        private SocketChannel channel;
        private SelectionKey key;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private boolean upgraded;
        boolean open;

        Conn(Object owner) {
            this(owner, null);
        }

        /** A connection to {@code target} rather than the engine's server (null: the engine's). */
        Conn(Object owner, InetSocketAddress target) {
            this.owner = owner;
            this.target = target == null ? server : target;
        }

        void sendText(String text) {
            if (!open) {
                return;
            }
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            int header = payload.length < 126 ? 2 : payload.length < 65536 ? 4 : 10;
            ByteBuffer frame = ByteBuffer.allocate(header + 4 + payload.length);
            frame.put((byte) 0x81);
            if (payload.length < 126) {
                frame.put((byte) (0x80 | payload.length));
            } else if (payload.length < 65536) {
                frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
            } else {
                frame.put((byte) (0x80 | 127)).putLong(payload.length);
            }
            frame.putInt(0); // mask key 0: XOR leaves the payload as it is
            frame.put(payload).flip();
            queue(frame);
        }

        private void queue(ByteBuffer buffer) {
            out.add(buffer);
            if (key != null && key.isValid()) {
                key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            }
        }

        /** Drops the connection at once, without a closing handshake (a lost peer). */
        void abort() {
            if (channel != null) {
                try {
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                    channel.close();
                } catch (IOException ignored) {
                    // gone anyway
                }
            }
            boolean wasOpen = open || !upgraded;
            open = false;
            if (key != null) {
                key.cancel();
            }
            if (wasOpen && channel != null) {
                channel = null;
                handler.onClose(this);
            }
        }
    }

    private record Timer(long atNanos, Runnable task) {}

    private final Selector selector;
    private final InetSocketAddress server;
    private final InetSocketAddress source;
    private final Handler handler;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.atNanos, b.atNanos));
    private volatile boolean running = true;

    RawLoadClient(InetSocketAddress server, InetSocketAddress source, Handler handler) throws IOException {
        this.selector = Selector.open();
        this.server = server;
        this.source = source;
        this.handler = handler;
    }

    /** Starts connecting; onOpen follows once the WebSocket handshake is done. Engine thread only. */
    void connect(Conn conn) {
        try {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (source != null) {
                channel.bind(source);
            }
            conn.channel = channel;
            conn.upgraded = false;
            conn.open = false;
            conn.in.clear();
            conn.out.clear();
            conn.key = channel.register(selector, SelectionKey.OP_CONNECT, conn);
            channel.connect(conn.target);
            // Like a real client's connect timeout: a SYN dropped by a full accept queue would
            // otherwise leave this attempt hanging for minutes of TCP retransmissions.
            schedule(10_000_000_000L, () -> {
                if (conn.channel == channel && !conn.open) {
                    conn.abort();
                }
            });
        } catch (IOException e) {
            conn.channel = null;
            handler.onClose(conn);
        }
    }

    /** Runs {@code task} on the engine thread after {@code delayNanos}. Engine thread only. */
    void schedule(long delayNanos, Runnable task) {
        timers.add(new Timer(System.nanoTime() + delayNanos, task));
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    void run() throws IOException {
        while (running) {
            selector.select(1);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                Conn conn = (Conn) key.attachment();
                try {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isConnectable()) {
                        finishConnect(conn);
                    }
                    if (key.isValid() && key.isReadable()) {
                        read(conn);
                    }
                    if (key.isValid() && key.isWritable()) {
                        write(conn);
                    }
                } catch (IOException | RuntimeException e) {
                    conn.abort();
                }
            }
            long now = System.nanoTime();
            while (!timers.isEmpty() && timers.peek().atNanos - now <= 0) {
                timers.poll().task().run();
            }
            handler.onTick(now);
        }
    }

    private void finishConnect(Conn conn) throws IOException {
        conn.channel.finishConnect();
        String request = "GET / HTTP/1.1\r\nHost: " + conn.target.getHostString() + ":" + conn.target.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: c3dhcm1rZWVwZXJsb2FkZ2Vu\r\nSec-WebSocket-Version: 13\r\n\r\n";
        conn.key.interestOps(SelectionKey.OP_READ);
        conn.queue(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    private void write(Conn conn) throws IOException {
        while (!conn.out.isEmpty()) {
            ByteBuffer head = conn.out.peek();
            conn.channel.write(head);
            if (head.hasRemaining()) {
                return;
            }
            conn.out.poll();
        }
        conn.key.interestOps(SelectionKey.OP_READ);
    }

    private void read(Conn conn) throws IOException {
        int n = conn.channel.read(conn.in);
        if (n < 0) {
            conn.abort();
            return;
        }
        conn.in.flip();
        if (!conn.upgraded) {
            int end = headerEnd(conn.in);
            if (end < 0) {
                conn.in.compact();
                return;
            }
            byte[] head = new byte[end];
            conn.in.get(head);
            if (!new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
                conn.abort();
                return;
            }
            conn.upgraded = true;
            conn.open = true;
            handler.onOpen(conn);
        }
        while (conn.open && conn.in.remaining() >= 2) {
            int start = conn.in.position();
            int b0 = conn.in.get() & 0xff;
            int b1 = conn.in.get() & 0xff;
            long length = b1 & 0x7f;
            if (length == 126) {
                if (conn.in.remaining() < 2) {
                    conn.in.position(start);
                    break;
                }
                length = conn.in.getShort() & 0xffff;
            } else if (length == 127) {
                if (conn.in.remaining() < 8) {
                    conn.in.position(start);
                    break;
                }
                length = conn.in.getLong();
            }
            if (conn.in.remaining() < length) {
                conn.in.position(start);
                break;
            }
            byte[] payload = new byte[(int) length];
            conn.in.get(payload);
            int opcode = b0 & 0x0f;
            switch (opcode) {
                case 1 -> handler.onText(conn, new String(payload, StandardCharsets.UTF_8));
                case 9 -> pong(conn, payload);
                case 8 -> conn.abort();
                default -> { }
            }
        }
        conn.in.compact();
    }

    private void pong(Conn conn, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(6 + payload.length);
        frame.put((byte) 0x8a).put((byte) (0x80 | payload.length)).putInt(0).put(payload).flip();
        conn.queue(frame);
    }

    private static int headerEnd(ByteBuffer buffer) {
        for (int i = buffer.position(); i + 3 < buffer.limit(); i++) {
            if (buffer.get(i) == '\r' && buffer.get(i + 1) == '\n' && buffer.get(i + 2) == '\r' && buffer.get(i + 3) == '\n') {
                return i + 4 - buffer.position();
            }
        }
        return -1;
    }
}
