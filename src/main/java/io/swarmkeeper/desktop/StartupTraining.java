package io.swarmkeeper.desktop;

import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.server.ServerConfig;
import io.swarmkeeper.server.SignalingServer;
import io.swarmkeeper.store.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The run that the installed package's class-data archive is dumped from (the Linux package's
 * postinst runs it under {@code -XX:ArchiveClassesAtExit}, and the launcher maps the archive with
 * {@code -XX:SharedArchiveFile}): the JVM then maps the classes a start needs instead of reading,
 * parsing and verifying them from the jar at every launch (docs/benchmarks.md, "The installed
 * package").
 *
 * <p>The headless seeder's start is run for real, on loopback only: a signaling server on a free
 * port and a seeder with an empty store in a temporary folder that connects to it, then both
 * close. The window cannot open where a package is installed (no display), so its classes are
 * loaded without being run: the app's own, and the JavaFX and webrtc-java classes it builds on.
 * No WebRTC runs: a lone seeder is offered nothing.
 */
public final class StartupTraining {
    /** Packages whose classes the window's start loads, named by one class each. */
    private static final List<String> WINDOW_PACKAGES = List.of(
            "io/swarmkeeper/", "javafx/", "com/sun/javafx/", "com/sun/glass/ui/gtk/", "com/sun/glass/ui/",
            "com/sun/prism/", "com/sun/scenario/", "dev/onvoid/webrtc/");

    private StartupTraining() {}

    public static void main(String[] args) throws Exception {
        System.out.println("startup training: seeder started and stopped, " + run() + " classes loaded");
    }

    /** Runs the seeder's start and loads the window's classes; returns how many of those it loaded. */
    static int run() throws Exception {
        Path store = Files.createTempDirectory("swarmkeeper-training-");
        try (SignalingServer server = new SignalingServer(ServerConfig.loopback(0)).start();
             Seeder seeder = Seeder.builder(new URI("ws://127.0.0.1:" + server.port()), store).open()) {
            if (seeder.node().peerId() == null) {
                throw new IllegalStateException("the training seeder was not welcomed");
            }
        } finally {
            try {
                FileTrees.delete(store);
            } catch (IOException e) {
                System.err.println("startup training: could not delete " + store + ": " + e.getMessage());
            }
        }
        return loadWindowClasses();
    }

    /** Loads (without initialising) every class of {@link #WINDOW_PACKAGES}, from the jar or the runtime's modules. */
    private static int loadWindowClasses() throws IOException, URISyntaxException {
        Map<String, ClassLoader> classes = new LinkedHashMap<>();
        Set<Object> scanned = new HashSet<>(); // the plain jar holds all of them: read it once
        for (Class<?> anchor : List.of(StartupTraining.class, javafx.scene.Node.class, javafx.scene.control.Control.class,
                javafx.beans.Observable.class, dev.onvoid.webrtc.RTCPeerConnection.class)) {
            CodeSource source = anchor.getProtectionDomain().getCodeSource();
            if (!scanned.add(anchor.getModule().isNamed() ? anchor.getModule() : source.getLocation())) {
                continue;
            }
            ClassLoader loader = anchor.getClassLoader() == null ? StartupTraining.class.getClassLoader() : anchor.getClassLoader();
            for (String name : classesBeside(anchor)) {
                if (WINDOW_PACKAGES.stream().anyMatch(name::startsWith) && !name.endsWith("module-info.class")) {
                    classes.putIfAbsent(name.substring(0, name.length() - ".class".length()).replace('/', '.'), loader);
                }
            }
        }
        int loaded = 0;
        for (Map.Entry<String, ClassLoader> c : classes.entrySet()) {
            try {
                Class.forName(c.getKey(), false, c.getValue());
                loaded++;
            } catch (LinkageError | ClassNotFoundException e) {
                // another platform's class (Windows or macOS glass, say): not ours to map here
            }
        }
        return loaded;
    }

    /** The class file names (with slashes) in the jar, folder or runtime module that holds {@code anchor}. */
    private static List<String> classesBeside(Class<?> anchor) throws IOException, URISyntaxException {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (anchor.getModule().isNamed() && (location == null || "jrt".equals(location.getProtocol()))) {
            Path root = FileSystems.getFileSystem(URI.create("jrt:/")).getPath("modules", anchor.getModule().getName());
            return classFiles(root);
        }
        Path jar = Path.of(location.toURI());
        if (Files.isDirectory(jar)) {
            return classFiles(jar);
        }
        try (JarFile zip = new JarFile(jar.toFile())) { // the runtime image has no zip file system (jdk.zipfs)
            return zip.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).toList();
        }
    }

    private static List<String> classFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString()).filter(n -> n.endsWith(".class")).toList();
        }
    }
}
