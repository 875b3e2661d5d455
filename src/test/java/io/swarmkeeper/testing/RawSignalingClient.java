package io.swarmkeeper.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import javax.net.ssl.SSLContext;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/** A bare WebSocket client that sends whatever a test wants, well-formed or not, and records replies. */
public final class RawSignalingClient extends WebSocketClient implements AutoCloseable {
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

    private RawSignalingClient(URI uri, Map<String, String> headers) {
        super(uri, headers);
    }

    public static RawSignalingClient connect(String url) throws InterruptedException {
        return connect(url, Map.of(), null, null);
    }

    /**
     * Connects with extra handshake headers, from a chosen local address (null: any), over TLS
     * when {@code tls} is given.
     */
    public static RawSignalingClient connect(String url, Map<String, String> headers, String localAddress,
                                             SSLContext tls) throws InterruptedException {
        RawSignalingClient client = new RawSignalingClient(URI.create(url), headers);
        if (tls != null) {
            client.setSocketFactory(tls.getSocketFactory());
        } else if (localAddress != null) {
            try {
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress(localAddress, 0));
                client.setSocket(socket);
            } catch (IOException e) {
                throw new AssertionError("cannot bind " + localAddress, e);
            }
        }
        // A connection the server refuses at once may already be closed here: that still
        // connected, and its error message is queued.
        if (!client.connectBlocking(5, TimeUnit.SECONDS)) {
            int code;
            try {
                code = client.closeCode.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("cannot connect to " + url, e);
            }
            if (code == org.java_websocket.framing.CloseFrame.NEVER_CONNECTED) {
                throw new AssertionError("cannot connect to " + url);
            }
        }
        return client;
    }

    /** Connects and says hello; returns the client with its welcome consumed. */
    public static RawSignalingClient welcomed(String url, String role) throws Exception {
        return welcomed(url, role, null);
    }

    /** Welcomed, connecting from {@code localAddress} (another loopback address, e.g. 127.0.0.2) when not null. */
    public static RawSignalingClient welcomed(String url, String role, String localAddress) throws Exception {
        RawSignalingClient client = localAddress == null ? connect(url) : connect(url, Map.of(), localAddress, null);
        client.send("{\"type\":\"hello\",\"version\":1,\"role\":\"" + role + "\"}");
        JsonNode welcome = client.next();
        if (!"welcome".equals(welcome.path("type").asText())) {
            throw new AssertionError("expected welcome, got " + welcome);
        }
        client.id = welcome.get("id").asText();
        return client;
    }

    private String id;

    public String id() {
        return id;
    }

    /** The next message, waiting up to 5 s. */
    public JsonNode next() throws InterruptedException {
        JsonNode message = received.poll(5, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message within 5 s");
        }
        return message;
    }

    /** The next message of the given type, skipping others; fails after 5 s. */
    public JsonNode next(String type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            JsonNode message = received.poll(100, TimeUnit.MILLISECONDS);
            if (message != null && type.equals(message.path("type").asText())) {
                return message;
            }
        }
        throw new AssertionError("no \"" + type + "\" within 5 s");
    }

    /** The next message, or null when none arrives within {@code millis}. */
    public JsonNode nextOrNull(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Every message received and not yet taken, taken now (without waiting). */
    public java.util.List<JsonNode> drain() {
        java.util.List<JsonNode> all = new java.util.ArrayList<>();
        received.drainTo(all);
        return all;
    }

    /** True when nothing arrives within {@code millis}. */
    public boolean quietFor(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS) == null;
    }

    /** True once the server closed the connection (or it failed). */
    public boolean closedByServer() {
        return closeCode.isDone();
    }

    public int awaitCloseCode() throws Exception {
        return closeCode.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(ServerHandshake handshake) {}

    @Override
    public void onMessage(String message) {
        try {
            received.add(MessageCodec.mapper().readTree(message));
        } catch (Exception e) {
            throw new AssertionError("server sent non-JSON: " + message, e);
        }
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        closeCode.complete(code);
    }

    @Override
    public void onError(Exception ex) {}
}
