package io.swarmkeeper.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The demo website: a listing whose photos carry their img_hash, served as a website would. */
class DemoListingTest {
    @Test
    void theListingsPhotosAreServedAndMatchTheirImgHash() throws Exception {
        try (DemoOrigin origin = DemoOrigin.start()) {
            DemoSwarm.addListing(origin);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> listing = http.send(HttpRequest.newBuilder(origin.url("listing.json")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("application/json", listing.headers().firstValue("content-type").orElseThrow());
            JsonNode photos = MessageCodec.mapper().readTree(listing.body()).path("listing").path("photos");
            assertEquals(6, photos.size());
            for (JsonNode photo : photos) {
                URI url = origin.url(photo.path("img").asText());
                HttpResponse<byte[]> image = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals("image/jpeg", image.headers().firstValue("content-type").orElseThrow());
                assertEquals(photo.path("img_hash").asText(), ResourceId.of(image.body()).text(), url.toString());
                assertTrue(origin.resources().containsValue(ResourceId.parse(photo.path("img_hash").asText())));
            }
        }
    }
}
