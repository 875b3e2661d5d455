package io.swarmkeeper.server;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads, at start, every class of the packages a server runs through. From a jar, loading a class
 * needs no descriptor (the jar stays open); from a directory of classes, as in development and
 * tests, it opens a file: a class first needed while descriptors are exhausted would fail to load,
 * and the JVM remembers that failure, so the path would stay broken after descriptors free up.
 */
final class ClassPreload {
    private static final Logger log = LoggerFactory.getLogger(ClassPreload.class);

    private ClassPreload() {}

    static void packages(String... packages) {
        ClassLoader loader = ClassPreload.class.getClassLoader();
        for (String pkg : packages) {
            String path = pkg.replace('.', '/');
            try {
                Enumeration<URL> roots = loader.getResources(path);
                while (roots.hasMoreElements()) {
                    URL root = roots.nextElement();
                    if ("file".equals(root.getProtocol())) {
                        try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
                            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".class"))
                                    .forEach(n -> load(loader, pkg + "." + n.substring(0, n.length() - 6)));
                        }
                    } else if ("jar".equals(root.getProtocol())
                            && root.openConnection() instanceof JarURLConnection jar) {
                        JarFile file = jar.getJarFile();
                        for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                            String name = e.nextElement().getName();
                            if (name.startsWith(path + "/") && name.endsWith(".class") && name.indexOf('/', path.length() + 1) < 0) {
                                load(loader, name.substring(0, name.length() - 6).replace('/', '.'));
                            }
                        }
                    }
                }
            } catch (IOException | URISyntaxException e) {
                log.debug("could not preload {}: {}", pkg, e.toString());
            }
        }
    }

    private static void load(ClassLoader loader, String name) {
        try {
            Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            log.debug("could not preload {}: {}", name, e.toString());
        }
    }
}
