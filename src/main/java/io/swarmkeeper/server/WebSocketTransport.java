package io.swarmkeeper.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.swarmkeeper.protocol.ErrorCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling server's WebSocket transport, on Netty: one thread accepts, one event loop per
 * core upgrades, decodes and writes the connections it owns. Everything a peer could abuse
 * below the message layer is bounded here: sockets per network and descriptors (at accept, before
 * a byte is read), the upgrade request's size and the time it may take, frame sizes and UTF-8,
 * the bytes queued for a peer that stops reading, and the close handshake's duration.
 */
final class WebSocketTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);
    /** How long a close handshake may take before the socket is simply closed. */
    static final long CLOSE_GRACE_MS = 3000;
    /** Body bytes an upgrade request may carry (it should carry none). */
    private static final int MAX_REQUEST_BODY = 1024;
    /** The kernel's send buffer per connection (signaling messages are at most 64 KiB). */
    static final int SEND_BUFFER_BYTES = 64 * 1024;
    /** Pongs one connection gets at most: one per 100 ms. */
    private static final long PONG_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Pause after accept() itself failed (descriptors exhausted by something else). */
    private static final long ACCEPT_RETRY_MS = 250;

    /** What the signaling logic hears from the transport, on the connection's event loop. */
    /**
     * What a proxy may have said of the client in the upgrade request: its {@code Forwarded}
     * and {@code X-Forwarded-For} headers (several lines of one joined with commas), or null.
     * Worth anything only from a trusted proxy ({@link TrustedProxies}).
     */
    record Forwarding(String forwarded, String xForwardedFor) {}

    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String FORWARDED = "Forwarded";

    interface Listener {
        /**
         * A connection completed its upgrade; {@code origin} and {@code authorization} are those
         * headers of its request, or null.
         */
        void onOpen(Connection connection, String origin, String authorization, Forwarding forwarding);

        void onText(Connection connection, String text);

        void onBinary(Connection connection);

        /** Any sign of life besides a message: a pong, a ping. */
        void onPong(Connection connection);

        /** The connection is gone (once per upgraded connection); {@code code} as received or sent, 1006 if none. */
        void onClosed(Connection connection, int code);
    }

    private final ServerConfig config;
    private final SSLContext tls;
    private final ServerMetrics metrics;
    private final Listener listener;
    private final AcceptGate gate;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final EventLoopGroup acceptLoop;
    private final EventLoopGroup ioLoops;
    private final Class<? extends ServerChannel> serverChannelType;
    private final WebSocketDecoderConfig decoderConfig;
    private volatile Channel serverChannel;
    private final AtomicBoolean acceptPaused = new AtomicBoolean();
    private volatile long lastAcceptErrorLog;
    /** Pauses since the last logged one, and when that was (accept loop only). */
    private int pausesUnreported;
    private long lastPauseLog = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    WebSocketTransport(ServerConfig config, SSLContext tls, ServerMetrics metrics, Listener listener) {
        this.config = config;
        this.tls = tls;
        this.metrics = metrics;
        this.listener = listener;
        this.gate = new AcceptGate(config.maxConnectionsPerAddress(), config.fdReserve());
        boolean epoll = Epoll.isAvailable() && !"nio".equals(System.getProperty("swarmkeeper.server.transport"));
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.serverChannelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.acceptLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("signaling-accept", true), io);
        this.ioLoops = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("signaling-io", true), io);
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.maxFrameBytes())
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                .closeOnProtocolViolation(false) // closed gently by FrameHandler, so the close frame arrives
                .withUTF8Validator(true)
                .build();
        log.debug("signaling transport: {}", epoll ? "epoll" : "nio");
    }

    /** Binds; throws if the address cannot be listened on. */
    void start() throws InterruptedException {
        warmUpDescriptorClasses();
        ClassPreload.packages("io.swarmkeeper.server", "io.swarmkeeper.protocol", "io.swarmkeeper.content");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptLoop, ioLoops)
                .channel(serverChannelType)
                .option(ChannelOption.SO_BACKLOG, config.acceptBacklog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new AcceptHandler())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // A fixed kernel send buffer (the kernel doubles it), not one autotuned to megabytes:
                // what waits for a slow peer then waits in the queue that --max-queued-bytes bounds.
                .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.maxQueuedBytes() / 2, config.maxQueuedBytes()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            SSLEngine engine = tls.createSSLEngine();
                            engine.setUseClientMode(false);
                            p.addLast("tls", new SslHandler(engine));
                        }
                        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(Math.min(4096, config.maxHeaderBytes()))
                                .setMaxHeaderSize(config.maxHeaderBytes())
                                .setMaxChunkSize(MAX_REQUEST_BODY)));
                        p.addLast("aggregate-http", new HttpObjectAggregator(MAX_REQUEST_BODY));
                        p.addLast("upgrade", new UpgradeHandler());
                    }
                });
        serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
    }

    int port() {
        Channel ch = serverChannel;
        return ch == null ? -1 : ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** The upgraded connections that are open now. */
    Collection<Connection> connections() {
        return Collections.unmodifiableSet(open);
    }

    /**
     * Pings {@code connections}, one task per event loop for those it serves: a ping written from
     * another thread is a task and a wake-up of the connection's loop each (the heartbeat's ~650
     * pings a second at 20,000 peers were most of the server's idle CPU).
     */
    void pingAll(Collection<Connection> connections) {
        Map<io.netty.channel.EventLoop, List<NettyConnection>> byLoop = new HashMap<>();
        for (Connection c : connections) {
            if (c instanceof NettyConnection n) {
                byLoop.computeIfAbsent(n.channel.eventLoop(), l -> new ArrayList<>()).add(n);
            } else {
                c.ping();
            }
        }
        byLoop.forEach((loop, theirs) -> loop.execute(() -> theirs.forEach(NettyConnection::ping)));
    }

    /** About once a second: re-reads the descriptors in use and resumes accepting when there are enough. */
    void sample() {
        gate.sample();
        maybeResumeAccepting();
    }

    /** Sockets from {@code address}'s network now, upgraded or not. */
    int socketsFrom(InetAddress address) {
        return gate.socketsOf(address);
    }

    long descriptorsInUse() {
        return gate.descriptorsInUse();
    }

    long maxDescriptors() {
        return gate.maxDescriptors();
    }

    boolean acceptPaused() {
        return acceptPaused.get();
    }

    @Override
    public void close() {
        Channel ch = serverChannel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Connection c : open) {
            c.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "server shutting down");
        }
        acceptLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        ioLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /**
     * The JDK initialises its descriptor-closing class on first use, and that needs a descriptor:
     * if the first use came while none were free, every later close would fail. Use it now.
     */
    private static void warmUpDescriptorClasses() {
        try {
            java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
            pipe.sink().close();
            pipe.source().close();
        } catch (IOException e) {
            log.debug("pipe warm-up failed: {}", e.toString());
        }
    }

    /** On the accept loop (the flag and autoRead change together there). */
    private void pauseAccepting(String why) {
        Channel ch = serverChannel;
        if (ch != null && !acceptPaused.get()) {
            acceptPaused.set(true);
            ch.config().setAutoRead(false);
            metrics.acceptPaused.increment();
            pausesUnreported++;
            long now = System.nanoTime();
            if (now - lastPauseLog > TimeUnit.MINUTES.toNanos(1)) {
                // An attack makes accepting pause and resume many times a minute: one line a minute says so.
                lastPauseLog = now;
                log.warn("accepting paused {} time{} in the last minute: {} ({} of {} file descriptors in use, {} kept in"
                        + " reserve); it resumes as they free up", pausesUnreported, pausesUnreported == 1 ? "" : "s", why,
                        gate.descriptorsInUse(), gate.maxDescriptors(), config.fdReserve());
                pausesUnreported = 0;
            }
        }
    }

    /** From any thread: resumes on the accept loop once enough descriptors are free. */
    private void maybeResumeAccepting() {
        Channel ch = serverChannel;
        if (ch == null || !acceptPaused.get()) {
            return;
        }
        ch.eventLoop().execute(() -> {
            if (acceptPaused.get() && gate.descriptorsRecovered()) {
                acceptPaused.set(false);
                ch.config().setAutoRead(true);
                log.debug("accepting resumed ({} of {} file descriptors in use)", gate.descriptorsInUse(), gate.maxDescriptors());
            }
        });
    }

    /** On the listening socket: sees each accepted socket before anything else does. */
    private final class AcceptHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            InetSocketAddress remote = (InetSocketAddress) child.remoteAddress();
            InetAddress address = remote == null ? null : remote.getAddress();
            if (address == null || !gate.admit(address)) {
                metrics.connectionsOpened.increment();
                metrics.error(ErrorCode.TOO_MANY_CONNECTIONS);
                child.unsafe().closeForcibly();
                return;
            }
            child.closeFuture().addListener(f -> guarded("releasing a socket", () -> {
                gate.release(address);
                maybeResumeAccepting();
            }));
            if (gate.descriptorsLow()) {
                pauseAccepting("file descriptors running low");
            }
            ctx.fireChannelRead(child);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Fatal.haltIfFatal(cause);
            metrics.acceptErrors.increment();
            long now = System.nanoTime();
            if (now - lastAcceptErrorLog > TimeUnit.SECONDS.toNanos(10)) {
                lastAcceptErrorLog = now;
                log.warn("accept failed: {} ({} of {} file descriptors in use); retrying", cause.getMessage(),
                        gate.descriptorsInUse(), gate.maxDescriptors());
            }
            // accept() fails again at once while its cause lasts: pause briefly instead of spinning.
            ctx.channel().config().setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> {
                if (!acceptPaused.get()) {
                    ctx.channel().config().setAutoRead(true);
                }
            }, ACCEPT_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Reads one HTTP request within the deadline and the size cap, and upgrades it or answers why not. */
    private final class UpgradeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private ScheduledFuture<?> deadline;
        private boolean refused;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            metrics.connectionsOpened.increment();
            deadline = ctx.executor().schedule(() -> {
                metrics.error(ErrorCode.UPGRADE_TIMEOUT);
                log.debug("{}: no WebSocket upgrade within {} ms", ctx.channel().remoteAddress(), config.upgradeTimeoutMs());
                ctx.channel().close();
            }, config.upgradeTimeoutMs(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (refused) {
                return; // a request pipelined behind one already refused
            }
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                if (cause instanceof TooLongHttpLineException) {
                    refuseRequest(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, ErrorCode.HEADER_TOO_LARGE);
                } else if (cause instanceof TooLongHttpHeaderException) {
                    refuseRequest(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, ErrorCode.HEADER_TOO_LARGE);
                } else {
                    refuseRequest(ctx, HttpResponseStatus.BAD_REQUEST, ErrorCode.BAD_REQUEST);
                }
                return;
            }
            if (!HttpMethod.GET.equals(request.method())
                    || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                refuseRequest(ctx, HttpResponseStatus.UPGRADE_REQUIRED, ErrorCode.BAD_REQUEST);
                return;
            }
            String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
            if (key == null || key.isBlank()
                    || !request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
                refuseRequest(ctx, HttpResponseStatus.BAD_REQUEST, ErrorCode.BAD_REQUEST);
                return;
            }
            if (!"13".equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
                refused = true;
                ctx.channel().config().setAutoRead(false);
                metrics.error(ErrorCode.BAD_REQUEST);
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                        .addListener(f -> closeGently(ctx.channel()));
                return;
            }
            upgrade(ctx, key.trim(), request.headers().get(HttpHeaderNames.ORIGIN),
                    request.headers().get(HttpHeaderNames.AUTHORIZATION), new Forwarding(
                            joined(request.headers().getAll(FORWARDED)),
                            joined(request.headers().getAll(X_FORWARDED_FOR))));
        }

        /**
         * Answers 101 and turns the pipeline from HTTP to WebSocket in an order that loses
         * nothing: the frame encoder before anything can be sent, the frame handlers before the
         * decoder that feeds them, and the decoder last, in the HTTP codec's very place, so that
         * bytes a client sent right behind its request (frames before the 101) reach it.
         */
        private static String joined(List<String> lines) {
            return lines.isEmpty() ? null : String.join(",", lines);
        }

        private void upgrade(ChannelHandlerContext ctx, String key, String origin, String authorization,
                             Forwarding forwarding) {
            Channel ch = ctx.channel();
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SWITCHING_PROTOCOLS, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, acceptValue(key));
            ch.writeAndFlush(response).addListener(f -> {
                if (!f.isSuccess()) {
                    ch.close();
                }
            });
            NettyConnection connection = new NettyConnection(ch);
            ChannelPipeline p = ch.pipeline();
            p.addBefore("http", "wsencoder", new WebSocket13FrameEncoder(false));
            p.addAfter("http", "utf8", new Utf8FrameValidator(false));
            p.addAfter("utf8", "aggregate-ws", new WebSocketFrameAggregator(config.maxFrameBytes()));
            p.addAfter("aggregate-ws", "frames", new FrameHandler(connection));
            p.remove("aggregate-http");
            p.remove(this);
            open.add(connection);
            ch.closeFuture().addListener(closed -> guarded("forgetting a connection", () -> {
                open.remove(connection);
                listener.onClosed(connection, connection.closeCode);
            }));
            try {
                listener.onOpen(connection, origin, authorization, forwarding);
            } catch (RuntimeException e) {
                log.warn("{}: could not open: {}", ch.remoteAddress(), e.toString(), e);
                connection.abort();
                return;
            }
            p.replace("http", "wsdecoder", new WebSocket13FrameDecoder(decoderConfig));
        }

        private void refuseRequest(ChannelHandlerContext ctx, HttpResponseStatus status, String code) {
            // One answer per connection: stop reading (what else comes is not looked at), then close.
            refused = true;
            ctx.channel().config().setAutoRead(false);
            metrics.error(code);
            byte[] body = (status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            // The decoder discards whatever else comes; answer, stop sending, close after a grace.
            ctx.writeAndFlush(response).addListener(f -> closeGently(ctx.channel()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Fatal.haltIfFatal(cause);
            log.debug("{} before upgrade: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** The Sec-WebSocket-Accept value for a client's key (RFC 6455, section 4.2.2). */
    static String acceptValue(String key) {
        try {
            java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    }

    private static final io.netty.util.AttributeKey<Boolean> CLOSE_SCHEDULED =
            io.netty.util.AttributeKey.valueOf("swarmkeeper.closeScheduled");

    /**
     * Closes {@code ch} for good {@link #CLOSE_GRACE_MS} from now, whatever happens meanwhile
     * (a peer that stopped reading cannot hold a close open); once per channel.
     */
    private static void closeWithin(Channel ch) {
        if (ch.attr(CLOSE_SCHEDULED).setIfAbsent(Boolean.TRUE) == null) {
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Half-closes (so that what was written reaches the peer); closed for good within the grace. */
    private static void closeGently(Channel ch) {
        if (ch instanceof DuplexChannel duplex && ch.isActive()) {
            closeWithin(ch);
            duplex.shutdownOutput();
        } else {
            ch.close();
        }
    }

    /** Runs a listener's work: a fatal error ends the process (Netty would swallow it), others are logged. */
    private static void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (Throwable t) {
            Fatal.haltIfFatal(t);
            log.warn("{} failed: {}", what, t.toString(), t);
        }
    }

    /** Frames of one upgraded connection. */
    private final class FrameHandler extends ChannelDuplexHandler {
        private final NettyConnection connection;

        FrameHandler(NettyConnection connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof WebSocketFrame frame)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                if (frame instanceof TextWebSocketFrame text) {
                    if (!connection.closing.get()) {
                        listener.onText(connection, text.text());
                    }
                } else if (frame instanceof BinaryWebSocketFrame) {
                    if (!connection.closing.get()) {
                        listener.onBinary(connection);
                    }
                } else if (frame instanceof PingWebSocketFrame) {
                    listener.onPong(connection);
                    onPing(ctx, frame);
                } else if (frame instanceof PongWebSocketFrame) {
                    listener.onPong(connection);
                } else if (frame instanceof CloseWebSocketFrame close) {
                    onCloseFrame(ctx, close);
                }
            } finally {
                frame.release();
            }
        }

        /**
         * Answers a ping, at most one every {@link #PONG_INTERVAL_NANOS} (RFC 6455 allows
         * answering only the latest), and never into a full queue: a peer that pings and does not
         * read is cut off like one that is sent to and does not read.
         */
        private void onPing(ChannelHandlerContext ctx, WebSocketFrame ping) {
            if (connection.closing.get()) {
                return;
            }
            if (!ctx.channel().isWritable()) {
                metrics.error(ErrorCode.QUEUE_FULL);
                connection.abort();
                return;
            }
            long now = System.nanoTime();
            if (now - lastPongNanos >= PONG_INTERVAL_NANOS) {
                lastPongNanos = now;
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            }
        }

        private long lastPongNanos = System.nanoTime() - PONG_INTERVAL_NANOS;

        private void onCloseFrame(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
            int code = close.statusCode() < 0 ? WebSocketCloseStatus.EMPTY.code() : close.statusCode();
            if (connection.closing.compareAndSet(false, true)) {
                // The peer began the close: answer in kind, then the server ends the TCP connection.
                connection.closeCode = code;
                CloseWebSocketFrame answer = code == WebSocketCloseStatus.EMPTY.code() ? new CloseWebSocketFrame()
                        : new CloseWebSocketFrame(code, "");
                closeWithin(ctx.channel());
                ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close(); // the answer to our own close
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Fatal.haltIfFatal(cause);
            if (cause instanceof CorruptedWebSocketFrameException corrupt) {
                // The decoder now discards whatever else comes. Count, one line for people at
                // debug level, and close with the decoder's status (1009 for a frame too large).
                WebSocketCloseStatus status = corrupt.closeStatus() == null ? WebSocketCloseStatus.PROTOCOL_ERROR
                        : corrupt.closeStatus();
                boolean tooBig = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
                metrics.error(tooBig ? ErrorCode.FRAME_TOO_LARGE : ErrorCode.BAD_FRAME);
                log.debug("{}: bad frame: {}", ctx.channel().remoteAddress(), cause.getMessage());
                connection.close(status.code(), status.reasonText());
            } else if (cause instanceof TooLongFrameException) {
                metrics.error(ErrorCode.FRAME_TOO_LARGE);
                connection.close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too large");
            } else {
                log.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
            }
        }
    }

    /** A {@link Connection} over one Netty channel. */
    private final class NettyConnection implements Connection {
        private final Channel channel;
        private final InetSocketAddress remote;
        final AtomicBoolean closing = new AtomicBoolean();
        volatile int closeCode = WebSocketCloseStatus.ABNORMAL_CLOSURE.code();
        private volatile Object state;

        NettyConnection(Channel channel) {
            this.channel = channel;
            this.remote = (InetSocketAddress) channel.remoteAddress();
        }

        @Override
        public InetSocketAddress remote() {
            return remote;
        }

        @Override
        public boolean send(String text) {
            if (closing.get() || !channel.isActive()) {
                return false;
            }
            if (!channel.isWritable()) {
                // More than --max-queued-bytes wait for this peer: it stopped reading.
                metrics.error(ErrorCode.QUEUE_FULL);
                log.debug("{}: more than {} bytes queued; disconnecting", remote, config.maxQueuedBytes());
                abort();
                return false;
            }
            channel.writeAndFlush(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), text)),
                    channel.voidPromise());
            return true;
        }

        @Override
        public boolean sendIfRoom(String text) {
            if (closing.get() || !channel.isActive()) {
                return false;
            }
            if (channel.bytesBeforeUnwritable() < config.maxQueuedBytes() / 2) {
                return false; // more than half the bound waits already
            }
            channel.writeAndFlush(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), text)),
                    channel.voidPromise());
            return true;
        }

        @Override
        public void close(int code, String reason) {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            closeCode = code;
            if (!channel.isActive()) {
                return;
            }
            closeWithin(channel); // even if the close frame can never be written
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(f -> {
                if (f.isSuccess()) {
                    closeGently(channel);
                } else {
                    channel.close();
                }
            });
        }

        @Override
        public void abort() {
            closing.set(true);
            channel.close();
        }

        @Override
        public void ping() {
            if (!closing.get() && channel.isActive()) {
                channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
            }
        }

        @Override
        public boolean isOpen() {
            return !closing.get() && channel.isActive();
        }

        @Override
        public boolean isClosing() {
            return closing.get() || !channel.isActive();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T state() {
            return (T) state;
        }

        @Override
        public void setState(Object state) {
            this.state = state;
        }

        @Override
        public String toString() {
            return String.valueOf(remote);
        }
    }
}
