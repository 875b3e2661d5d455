package io.swarmkeeper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.testing.RawSignalingClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
    @Test
    void countsPeersSignalsAndErrorsInBothFormats() throws Exception {
        try (SignalingServer server = new SignalingServer(ServerConfig.loopback(0)).start();
             MetricsEndpoint metrics = MetricsEndpoint.start(server, "127.0.0.1", 0);
             RawSignalingClient seeder = RawSignalingClient.welcomed(server.url(), "seeder");
             RawSignalingClient browser = RawSignalingClient.welcomed(server.url(), "browser")) {
            browser.send("{oops");
            browser.next("error");

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> text = http.send(HttpRequest.newBuilder(URI.create(metrics.url() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, text.statusCode());
            assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(text.body().contains("swarmkeeper_peers{role=\"seeder\"} 1"), text.body());
            assertTrue(text.body().contains("swarmkeeper_peers{role=\"browser\"} 1"), text.body());
            assertTrue(text.body().contains("swarmkeeper_errors_total{code=\"bad-json\"} 1"), text.body());
            assertTrue(text.body().contains("# TYPE swarmkeeper_signals_relayed_total counter"), text.body());

            HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create(metrics.url() + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode stats = MessageCodec.mapper().readTree(json.body());
            assertEquals(2, stats.path("peers").path("total").asInt());
            assertEquals(1, stats.path("errors").path("bad-json").asInt());
            assertTrue(stats.path("memory").path("heapUsedBytes").asLong() > 0);

            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(metrics.url() + "/nope")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }
}
