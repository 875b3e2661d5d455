package io.swarmkeeper.desktop;

import io.swarmkeeper.settings.OwnerOnlyFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One running app per user. The first launch holds an OS lock on {@code instance.lock} in the
 * user's settings directory and listens on 127.0.0.1 at a port of the system's choosing; the
 * port and a random token go into {@code instance.port} beside it, readable by the user only.
 * A second launch finds the lock held, sends {@code show TOKEN} to that port, and exits: the
 * first brings its window forward. A process that died holds no OS lock any more, so the next
 * launch takes its place whatever files it left behind.
 */
public final class SingleInstance implements AutoCloseable {
    static final String LOCK_FILE = "instance.lock";
    static final String PORT_FILE = "instance.port";
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(5);

    /** What {@link #claim} found: this is the first instance, or another one was asked to show itself. */
    public sealed interface Claim {
        /** This process is the one instance; keep it open while the app runs and close it at the end. */
        record First(SingleInstance instance) implements Claim {}

        /** Another instance runs and was asked to show its window ({@code shown} false: it did not answer). */
        record Second(boolean shown, String detail) implements Claim {}
    }

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ServerSocket server;
    private final Path portFile;
    private final byte[] token;
    private final Runnable onShow;
    private final Thread listener;

    private SingleInstance(FileChannel lockChannel, FileLock lock, ServerSocket server, Path portFile, byte[] token,
                           Runnable onShow) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.server = server;
        this.portFile = portFile;
        this.token = token;
        this.onShow = onShow;
        this.listener = new Thread(this::listen, "single-instance");
        listener.setDaemon(true);
    }

    /**
     * Becomes the one instance for {@code directory}, calling {@code onShow} (on its own thread)
     * whenever a later launch asks; or, when another instance holds it, asks that one to show.
     */
    public static Claim claim(Path directory, Runnable onShow) throws IOException {
        Files.createDirectories(directory);
        Path lockPath = directory.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM already
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return askToShow(directory.resolve(PORT_FILE));
        }
        try {
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            byte[] token = new byte[32];
            new SecureRandom().nextBytes(token);
            Path portFile = directory.resolve(PORT_FILE);
            OwnerOnlyFile.write(portFile, server.getLocalPort() + " " + HexFormat.of().formatHex(token) + "\n");
            SingleInstance instance = new SingleInstance(channel, lock, server, portFile, token, onShow);
            instance.listener.start();
            return new Claim.First(instance);
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
    }

    /** The port the first instance listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Asks the instance named in {@code portFile} to show itself; it may be starting, so tries for a few seconds. */
    private static Claim askToShow(Path portFile) {
        long deadline = System.nanoTime() + CONNECT_WAIT.toNanos();
        String last = "no " + portFile + " yet";
        while (true) {
            try {
                String[] parts = Files.readString(portFile, StandardCharsets.US_ASCII).trim().split(" ");
                if (parts.length != 2) {
                    throw new IOException(portFile + " is not \"PORT TOKEN\"");
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(parts[0])), 1000);
                    socket.setSoTimeout(2000);
                    OutputStream out = socket.getOutputStream();
                    out.write(("show " + parts[1] + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                            .readLine();
                    if ("shown".equals(answer)) {
                        return new Claim.Second(true, "the running instance (port " + parts[0] + ") was asked to show its window");
                    }
                    last = "the running instance answered " + answer;
                }
            } catch (IOException | NumberFormatException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                return new Claim.Second(false, "another instance holds the lock but did not answer: " + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Claim.Second(false, "interrupted");
            }
        }
    }

    private void listen() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(2000);
                String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if (line != null && line.startsWith("show ") && sameToken(line.substring(5).trim())) {
                    onShow.run();
                    socket.getOutputStream().write("shown\n".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException | RuntimeException e) {
                // a caller that went away or spoke nonsense: wait for the next
            }
        }
    }

    private boolean sameToken(String hex) {
        try {
            return MessageDigest.isEqual(token, HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Stops listening and lets the next launch be the first. */
    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(portFile);
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
