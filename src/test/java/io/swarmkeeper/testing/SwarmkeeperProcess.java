package io.swarmkeeper.testing;

import io.swarmkeeper.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Runs {@code swarmkeeper} in a separate JVM, as a user would, with this build's classes. */
public final class SwarmkeeperProcess {
    /** What a finished run printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> stdoutLines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private SwarmkeeperProcess(Process process) {
        this.process = process;
        this.outReader = pump(process.getInputStream(), out);
        this.errReader = pump(process.getErrorStream(), err);
    }

    /** Starts a long-running command (server, seed). */
    public static SwarmkeeperProcess start(String... args) throws IOException {
        return start(Map.of(), args);
    }

    /** Starts a long-running command with extra environment variables. */
    public static SwarmkeeperProcess start(Map<String, String> env, String... args) throws IOException {
        ProcessBuilder builder = builder(args);
        builder.environment().putAll(env);
        return new SwarmkeeperProcess(builder.start());
    }

    /**
     * Starts a command under a wrapper (e.g. {@code prlimit --nofile=400:400}) with JVM options of
     * its own (e.g. a small heap); both may be empty.
     */
    public static SwarmkeeperProcess startWrapped(List<String> wrapper, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(javaCommand(jvmOptions, args));
        return new SwarmkeeperProcess(new ProcessBuilder(command).start());
    }

    /**
     * Starts a long-running command whose view of {@code mountPoint} (an empty directory) is a
     * file system of its own of {@code bytes} bytes: a tmpfs mounted in a mount namespace that
     * only this process has ({@code unshare}; as root, or as any user through a user namespace).
     * Nothing changes for the rest of the machine; the mount goes when the process ends. This
     * JVM reaches the small disk through {@link #seenFromHere}.
     */
    public static SwarmkeeperProcess startOnSmallDisk(Path mountPoint, long bytes, String... args) throws IOException {
        return startOnSmallDisk(mountPoint, bytes, builder(args).command());
    }

    /** Like {@link #startOnSmallDisk(Path, long, String...)}, for another main class of this build. */
    public static SwarmkeeperProcess startOnSmallDisk(Path mountPoint, long bytes, Class<?> main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(builder(args).command());
        command.set(command.indexOf(Main.class.getName()), main.getName());
        return startOnSmallDisk(mountPoint, bytes, command);
    }

    private static SwarmkeeperProcess startOnSmallDisk(Path mountPoint, long bytes, List<String> java) throws IOException {
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private"));
        if (!"0".equals(idOutput())) {
            command.addAll(1, List.of("--user", "--map-root-user"));
        }
        command.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=\"$1\" swarmkeeper-test \"$2\" && shift 2 && exec \"$@\"",
                "sh", String.valueOf(bytes), mountPoint.toAbsolutePath().toString()));
        command.addAll(java);
        return new SwarmkeeperProcess(new ProcessBuilder(command).start());
    }

    /**
     * Where a path as the process sees it is found from this JVM: through its root in /proc,
     * which crosses into its mount namespace. Plain file operations only (no real-path lookups:
     * the kernel names that root "/").
     */
    public Path seenFromHere(Path path) {
        return Path.of("/proc/" + process.pid() + "/root").resolve(path.toAbsolutePath().toString().substring(1));
    }

    private static String idOutput() throws IOException {
        Process id = new ProcessBuilder("id", "-u").start();
        try (InputStream in = id.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /** Waits (60 s at most) for the end of a process started here; what it printed and returned. */
    public Result finish() throws IOException, InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            stop();
            throw new AssertionError("the process did not finish within 60 s; stderr: " + err);
        }
        outReader.join(5000);
        errReader.join(5000);
        return new Result(process.exitValue(), String.join("\n", out), String.join("\n", err));
    }

    /** Runs a command to its end (60 s at most). */
    public static Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    /** Runs a command to its end (60 s at most) with extra environment variables. */
    public static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        SwarmkeeperProcess p = start(env, args);
        if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
            p.stop();
            throw new AssertionError("swarmkeeper " + String.join(" ", args) + " did not finish within 60 s");
        }
        p.outReader.join(5000);
        p.errReader.join(5000);
        return new Result(p.process.exitValue(), String.join("\n", p.out), String.join("\n", p.err));
    }

    private static ProcessBuilder builder(String... args) {
        return new ProcessBuilder(javaCommand(List.of("-Xmx256m"), args));
    }

    private static List<String> javaCommand(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code patience} for the process to end by itself; its exit code, or null if it still runs. */
    public Integer awaitExit(java.time.Duration patience) throws InterruptedException {
        if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        outReader.join(5000); // everything it printed, read
        errReader.join(5000);
        return process.exitValue();
    }

    /** Everything printed on stderr so far. */
    public List<String> stderrLines() {
        return List.copyOf(err);
    }

    private static Thread pump(InputStream stream, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "process-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits (20 s at most) for a stdout line containing {@code text}; returns the line. */
    public String awaitStdout(String text) throws InterruptedException {
        return await(out, text, "stdout");
    }

    /** Waits (20 s at most) for a stderr line containing {@code text}; returns the line. */
    public String awaitStderr(String text) throws InterruptedException {
        return await(err, text, "stderr");
    }

    private String await(List<String> lines, String text, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!process.isAlive() && !outReader.isAlive() && !errReader.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + name + " line with \"" + text + "\"; stdout: " + out + "; stderr: " + err);
    }

    /** Sends SIGTERM and waits for the exit; returns the exit code, or -1 when it had to be killed. */
    public int terminate(java.time.Duration patience) throws InterruptedException {
        process.destroy();
        if (process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return -1;
    }

    /** Kills it at once (SIGKILL): no shutdown hook runs, as when a machine or a container dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
