package io.swarmkeeper.gui.about;

import io.swarmkeeper.cli.Version;
import io.swarmkeeper.geo.Geolocator;
import java.util.List;

/**
 * What the About view shows: the version, and the libraries the app bundles with their
 * licences, as their own POMs declare them (the pom.xml's dependencies that are not for tests;
 * {@code AboutViewTest} checks that none is missing).
 */
public final class AboutModel {
    /** A bundled library: its name, the Maven artifacts it ships as, its version and licence. */
    public record Library(String name, List<String> artifacts, String version, String licence) {}

    private static final List<Library> BUNDLED = List.of(
            new Library("OpenJFX", List.of("org.openjfx:javafx-controls", "org.openjfx:javafx-graphics", "org.openjfx:javafx-base"),
                    "21.0.11", "GPL v2 with the Classpath Exception"),
            new Library("webrtc-java", List.of("dev.onvoid.webrtc:webrtc-java"), "0.14.0",
                    "Apache License 2.0 (its native WebRTC: BSD 3-Clause)"),
            new Library("Java-WebSocket", List.of("org.java-websocket:Java-WebSocket"), "1.6.0", "MIT License"),
            new Library("Netty", List.of("io.netty:netty-codec-http", "io.netty:netty-handler",
                    "io.netty:netty-transport-native-epoll"), "4.2.18.Final", "Apache License 2.0"),
            // The Redis client of servers run as several; it brings Project Reactor 3.6.6 and Reactive Streams 1.0.4.
            new Library("Lettuce", List.of("io.lettuce:lettuce-core"), "7.7.0.RELEASE",
                    "MIT License (Reactor: Apache 2.0; Reactive Streams: MIT-0)"),
            new Library("H2 Database Engine", List.of("com.h2database:h2"), "2.4.240", "MPL 2.0 or EPL 1.0"),
            new Library("Bouncy Castle", List.of("org.bouncycastle:bcprov-jdk18on"), "1.87", "Bouncy Castle Licence (MIT style)"),
            new Library("Jackson", List.of("com.fasterxml.jackson.core:jackson-databind", "com.fasterxml.jackson.core:jackson-core",
                    "com.fasterxml.jackson.core:jackson-annotations"), "2.21.3", "Apache License 2.0"),
            new Library("picocli", List.of("info.picocli:picocli"), "4.7.7", "Apache License 2.0"),
            new Library("SLF4J", List.of("org.slf4j:slf4j-api", "org.slf4j:slf4j-simple"), "2.0.17", "MIT License"),
            new Library("MaxMind DB Reader", List.of("com.maxmind.db:maxmind-db"), "4.1.0", "Apache License 2.0"));

    public String version() {
        return "Swarmkeeper " + Version.text();
    }

    public String summary() {
        return "Peer-to-peer delivery of website resources, verified by hash. Runs on Java "
                + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")."
                + " Peers' places, where a signaling server pairs by proximity: " + Geolocator.ATTRIBUTION + ".";
    }

    public List<Library> libraries() {
        return BUNDLED;
    }
}
