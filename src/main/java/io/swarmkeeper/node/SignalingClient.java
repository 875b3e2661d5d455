package io.swarmkeeper.node;

import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.protocol.PeerRole;
import io.swarmkeeper.protocol.ProtocolException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's connection to the signaling server: says hello, learns its id and ICE servers, then
 * passes every message to its listener (on the socket's read thread: listeners hand off work).
 */
public final class SignalingClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignalingClient.class);

    /** What the client tells its owner. */
    public interface Listener {
        void onMessage(Message message);

        default void onDisconnected(String reason) {}
    }

    private final Socket socket;
    private final Listener listener;
    private final CompletableFuture<Message.Welcome> welcome = new CompletableFuture<>();
    private volatile boolean closing;

    private SignalingClient(URI server, Listener listener) {
        this.socket = new Socket(server);
        this.listener = listener;
    }

    /** Connects and waits for the server's welcome. */
    public static SignalingClient connect(URI server, PeerRole role, Listener listener, Duration timeout) throws IOException {
        String scheme = server.getScheme();
        if (scheme == null || !(scheme.equals("ws") || scheme.equals("wss"))) {
            throw new IOException("signaling server URL must start with ws:// or wss://, got " + server);
        }
        SignalingClient client = new SignalingClient(server, listener);
        try {
            if (!client.socket.connectBlocking(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                client.socket.close();
                throw new IOException("cannot reach signaling server " + server);
            }
            client.send(new Message.Hello(Message.PROTOCOL_VERSION, role));
            client.welcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.socket.close();
            throw new IOException("interrupted while connecting to " + server, e);
        } catch (ExecutionException e) {
            client.socket.close();
            throw new IOException("signaling server " + server + " refused us: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            client.socket.close();
            throw new IOException("no welcome from signaling server " + server + " within " + timeout.toSeconds() + " s", e);
        }
    }

    /** The id the server gave us. */
    public String id() {
        return welcome.join().id();
    }

    public List<Message.IceServer> iceServers() {
        List<Message.IceServer> servers = welcome.join().iceServers();
        return servers == null ? List.of() : servers;
    }

    public URI server() {
        return socket.getURI();
    }

    public boolean isConnected() {
        return socket.isOpen();
    }

    public void send(Message message) {
        try {
            socket.send(MessageCodec.encode(message));
        } catch (WebsocketNotConnectedException e) {
            log.debug("not connected; dropped {}", MessageCodec.typeName(message));
        }
    }

    @Override
    public void close() {
        closing = true;
        if (socket.isOpen()) {
            send(new Message.Bye());
        }
        try {
            socket.closeBlocking();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Socket extends WebSocketClient {
        Socket(URI server) {
            super(server);
            setTcpNoDelay(true);
            setConnectionLostTimeout(30);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {}

        @Override
        public void onMessage(String text) {
            Message message;
            try {
                message = MessageCodec.decode(text);
            } catch (ProtocolException e) {
                log.warn("bad message from signaling server: {}", e.getMessage());
                return;
            }
            if (message instanceof Message.Welcome w) {
                welcome.complete(w);
                return;
            }
            if (message instanceof Message.Error error && !welcome.isDone()) {
                welcome.completeExceptionally(new IOException(error.code() + ": " + error.message()));
                return;
            }
            try {
                listener.onMessage(message);
            } catch (RuntimeException e) {
                log.warn("listener failed on {}", MessageCodec.typeName(message), e);
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            welcome.completeExceptionally(new IOException("connection closed (" + code + " " + reason + ")"));
            if (!closing) {
                log.warn("signaling connection closed: {} {}", code, reason);
            }
            listener.onDisconnected(closing ? "closed" : "connection lost (" + code + ")");
        }

        @Override
        public void onError(Exception ex) {
            log.debug("signaling socket error: {}", ex.toString());
        }
    }
}
