package io.swarmkeeper.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The server's numbers over HTTP: {@code /metrics} in Prometheus text format, {@code /stats} as
 * a JSON summary. Separate from the WebSocket port, so that it can stay on a private address.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer http;
    private final java.util.concurrent.ExecutorService executor;

    private MetricsEndpoint(HttpServer http, java.util.concurrent.ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    public static MetricsEndpoint start(SignalingServer server, String host, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
        http.createContext("/metrics", exchange -> reply(exchange, "text/plain; version=0.0.4; charset=utf-8",
                server::prometheusMetrics));
        http.createContext("/stats", exchange -> reply(exchange, "application/json", server::statsJson));
        http.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(404, -1);
            }
        });
        java.util.concurrent.ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.start();
        return new MetricsEndpoint(http, executor);
    }

    private static void reply(HttpExchange exchange, String type, Supplier<String> body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        return "http://" + http.getAddress().getHostString() + ":" + port();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
