package io.swarmkeeper.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client at the level of bytes on a TCP socket, for attacks a well-behaved library
 * cannot make: upgrade requests that never end or never come, frames the protocol forbids, a
 * reader that stops reading. Each method does exactly what it says and no more.
 */
public final class RawWebSocket implements AutoCloseable {
    /** One frame as read from the server. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A TCP connection from {@code localAddress} (null: any), nothing sent yet. */
    public static RawWebSocket open(String host, int port, String localAddress) throws IOException {
        return open(host, port, localAddress, 0);
    }

    /** As {@link #open(String, int, String)}, with a small receive buffer when {@code receiveBuffer} > 0. */
    public static RawWebSocket open(String host, int port, String localAddress, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(5000);
        return new RawWebSocket(socket);
    }

    /** Opens and upgrades; throws unless the server answered 101. */
    public static RawWebSocket upgraded(String host, int port, String localAddress, int receiveBuffer) throws IOException {
        RawWebSocket ws = open(host, port, localAddress, receiveBuffer);
        String status = ws.upgrade();
        if (!status.startsWith("HTTP/1.1 101")) {
            ws.close();
            throw new IOException("upgrade refused: " + status);
        }
        return ws;
    }

    /** The request line and headers of a well-formed upgrade, without the final empty line. */
    public static String upgradeHead(String host, int port) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return "GET / HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n";
    }

    /** Sends a complete upgrade request and returns the response's status line (headers consumed). */
    public String upgrade() throws IOException {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        write((upgradeHead(remote.getHostString(), remote.getPort()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return readResponseHead();
    }

    /** Reads an HTTP response's status line and headers; returns the status line. */
    public String readResponseHead() throws IOException {
        String status = readLine();
        String line;
        do {
            line = readLine();
        } while (!line.isEmpty());
        return status;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > 16384) {
                throw new IOException("response line too long");
            }
        }
        if (b == -1 && line.size() == 0) {
            throw new EOFException("connection closed");
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A masked text frame, as clients must send. */
    public void sendText(String text) throws IOException {
        sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame whose reason is whatever bytes are given (valid UTF-8 or not). */
    public void sendClose(int code, byte[] reason) throws IOException {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        sendFrame(0x8, payload);
    }

    /** A final, masked frame of any opcode (even reserved ones). */
    public void sendFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            long n = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (n >> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        write(frame.toByteArray());
    }

    /** The next frame from the server (unmasked, as servers send), within the socket's timeout. */
    public Frame readFrame() throws IOException {
        int b0 = readByte();
        int b1 = readByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = (readByte() << 8) | readByte();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte();
            }
        }
        if (length > 16 * 1024 * 1024) {
            throw new IOException("frame of " + length + " bytes");
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length != length) {
            throw new EOFException("connection closed inside a frame");
        }
        return new Frame(b0 & 0x0f, payload);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b == -1) {
            throw new EOFException("connection closed");
        }
        return b;
    }

    /**
     * True when the server has closed the TCP connection within {@code millis}: reads and
     * discards whatever still arrives until the end of the stream or a reset.
     */
    public boolean closedByServerWithin(long millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        byte[] sink = new byte[8192];
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                if (in.read(sink) == -1) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
