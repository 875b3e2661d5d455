package io.swarmkeeper.demo;

import com.sun.net.httpserver.HttpServer;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * A small website origin on loopback for the demo swarm and for tests: serves named resources
 * over HTTP and a manifest of them at {@code /manifest.json}. A resource can be made to lie
 * (serve bytes other than those its manifest hash names), to show failed hash checks.
 *
 * <p>It is also the demo's website for browsers: {@code /} is the listing page
 * ({@code assets/demo/index.html}), which loads the browser client from
 * {@code /client/swarmkeeper.js} and asks {@code /swarm-config.json} where the signaling server
 * is. Every answer allows any origin to read it (CORS): a page that verifies what it fetched
 * must read the bytes, also from another site's origin.
 */
public final class DemoOrigin implements AutoCloseable {
    private final HttpServer http;
    private final Map<String, byte[]> bodies = new LinkedHashMap<>();
    private final Map<String, ResourceId> ids = new LinkedHashMap<>();
    private final Map<String, byte[]> lies = new LinkedHashMap<>();
    /** What {@code /manifest.json} serves instead of the manifest while the site's publishing is broken; null: the manifest. */
    private String brokenManifest;
    private volatile String signalingServer;
    /** The site's key, when it signs its manifest ({@code /manifest.json.sig}); null: unsigned. */
    private io.swarmkeeper.manifest.SigningKey signingKey;
    private final java.util.Set<String> withheld = new java.util.HashSet<>();

    private DemoOrigin(HttpServer http) {
        this.http = http;
    }

    /** Starts on 127.0.0.1 at an ephemeral port. */
    public static DemoOrigin start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        DemoOrigin origin = new DemoOrigin(http);
        http.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                byte[] body;
                String type;
                exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
                if ("OPTIONS".equals(exchange.getRequestMethod())) {
                    exchange.getResponseHeaders().set("Access-Control-Allow-Methods", "GET, HEAD");
                    exchange.sendResponseHeaders(204, -1);
                    return;
                }
                synchronized (origin) {
                    if (path.equals("/manifest.json")) {
                        String manifest = origin.brokenManifest != null ? origin.brokenManifest : origin.manifestJson();
                        body = manifest.getBytes(StandardCharsets.UTF_8);
                        type = "application/json";
                    } else if (path.equals("/manifest.json.sig") && origin.signingKey != null) {
                        byte[] manifest = origin.manifestJson().getBytes(StandardCharsets.UTF_8);
                        body = io.swarmkeeper.manifest.ManifestSignature.sign(manifest, origin.signingKey).toJson()
                                .getBytes(StandardCharsets.UTF_8);
                        type = "application/json";
                    } else if (path.equals("/") || path.equals("/index.html")) {
                        body = pageResource("demo/index.html");
                        type = "text/html; charset=utf-8";
                    } else if (path.equals("/client/swarmkeeper.js")) {
                        body = pageResource("client/swarmkeeper.js");
                        type = "text/javascript; charset=utf-8";
                    } else if (path.equals("/swarm-config.json")) {
                        String server = origin.signalingServer;
                        body = (server == null ? "{}" : "{\"server\":\"" + server + "\"}").getBytes(StandardCharsets.UTF_8);
                        type = "application/json";
                    } else {
                        String name = path.startsWith("/") ? path.substring(1) : path;
                        body = origin.withheld.contains(name) ? null
                                : origin.lies.containsKey(name) ? origin.lies.get(name) : origin.bodies.get(name);
                        type = name.endsWith(".jpg") ? "image/jpeg"
                                : name.endsWith(".json") ? "application/json" : "application/octet-stream";
                    }
                }
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-origin");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return origin;
    }

    /** A file of the demo page from the classpath (packaged from assets/), or null. */
    private static byte[] pageResource(String name) throws IOException {
        try (java.io.InputStream in = DemoOrigin.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** Where the demo page's client finds the signaling server ({@code /swarm-config.json}). */
    public void setSignalingServer(String url) {
        signalingServer = url;
    }

    /** The demo page, for a browser. */
    public URI pageUrl() {
        return URI.create(base() + "/");
    }

    /** Deterministic pseudo-random bytes, so that runs are repeatable. */
    public static byte[] sampleBytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Serves {@code body} at {@code /name}; returns its id (SHA-224). */
    public ResourceId add(String name, byte[] body) {
        return add(name, body, HashAlgorithm.SHA224);
    }

    /** Serves {@code body} at {@code /name}; returns its id of the given kind. */
    public synchronized ResourceId add(String name, byte[] body, HashAlgorithm algorithm) {
        ResourceId id = ResourceId.of(algorithm, body);
        bodies.put(name, body);
        ids.put(name, id);
        return id;
    }

    /**
     * The site takes {@code /name} down: it leaves the manifest and is no longer served. Returns
     * its id, or null when there was none.
     */
    public synchronized ResourceId remove(String name) {
        bodies.remove(name);
        lies.remove(name);
        return ids.remove(name);
    }

    /** From now on the site signs its manifest with {@code key}: {@code /manifest.json.sig}, as {@code swarmkeeper sign} writes it. */
    public synchronized void signWith(io.swarmkeeper.manifest.SigningKey key) {
        signingKey = key;
    }

    /** From now on {@code /manifest.json} serves {@code body} (not a manifest, say) instead of the manifest; null: the manifest again. */
    public synchronized void breakManifest(String body) {
        brokenManifest = body;
    }

    /** From now on {@code /name} serves {@code wrong} while the manifest still names the true hash. */
    public synchronized void lieAbout(String name, byte[] wrong) {
        lies.put(name, wrong);
    }

    /** From now on {@code /name} is not found (404), as if the website had lost it; the manifest still lists it. */
    public synchronized void withhold(String name) {
        withheld.add(name);
    }

    /** From now on {@code /name} serves its true bytes again. */
    public synchronized void stopLyingAbout(String name) {
        lies.remove(name);
    }

    public URI url(String name) {
        return URI.create(base() + "/" + name);
    }

    public URI manifestUrl() {
        return URI.create(base() + "/manifest.json");
    }

    public String base() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    public synchronized Map<String, ResourceId> resources() {
        return Map.copyOf(ids);
    }

    synchronized String manifestJson() {
        StringBuilder json = new StringBuilder("{\"resources\":[");
        boolean first = true;
        for (Map.Entry<String, ResourceId> e : ids.entrySet()) {
            json.append(first ? "" : ",").append("{\"url\":\"").append(url(e.getKey()))
                    .append("\",\"hash\":\"").append(e.getValue().text()).append("\"}");
            first = false;
        }
        return json.append("]}").toString();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
