package io.swarmkeeper.desktop;

import io.swarmkeeper.settings.PlatformDirectories;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The desktop app's log file, where the platform keeps logs: {@code $XDG_STATE_HOME/swarmkeeper}
 * (by default {@code ~/.local/state/swarmkeeper}) on Linux, {@code ~/Library/Logs/Swarmkeeper}
 * on macOS, {@code %LOCALAPPDATA%\Swarmkeeper\logs} on Windows; {@value #FILE_NAME}, at most
 * {@value #FILES} files of 5 MiB. The project logs through slf4j-simple to standard error,
 * which cannot rotate a file of its own; so standard error is copied into a
 * {@link RotatingFileOutput} (every log line, and whatever else reaches standard error, such as
 * an uncaught exception's trace) and still reaches the console.
 */
public final class DesktopLog implements AutoCloseable {
    public static final String FILE_NAME = "swarmkeeper.log";
    public static final long MAX_BYTES = 5L << 20;
    public static final int FILES = 5;

    private final PrintStream console;
    private final RotatingFileOutput file;
    private final Path path;

    private DesktopLog(PrintStream console, RotatingFileOutput file, Path path) {
        this.console = console;
        this.file = file;
        this.path = path;
    }

    /** Where this platform keeps the app's logs. */
    public static Path defaultDirectory(Map<String, String> environment, String osName) {
        return PlatformDirectories.logs(environment, osName);
    }

    /** Starts logging to {@value #FILE_NAME} in {@code directory} as well as to the console. */
    public static DesktopLog start(Path directory) throws IOException {
        return start(directory, MAX_BYTES, FILES);
    }

    static DesktopLog start(Path directory, long maxBytes, int files) throws IOException {
        Path path = directory.resolve(FILE_NAME);
        RotatingFileOutput file = new RotatingFileOutput(path, maxBytes, files);
        PrintStream console = System.err;
        OutputStream both = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                console.write(b);
                file.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                console.write(b, off, len);
                file.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                console.flush();
                file.flush();
            }
        };
        System.setErr(new PrintStream(both, true, StandardCharsets.UTF_8));
        return new DesktopLog(console, file, path);
    }

    /** The file being written, for the Help menu's "Show log". */
    public Path file() {
        return path;
    }

    /** Sends standard error to the console alone again and closes the file. */
    @Override
    public void close() throws IOException {
        System.err.flush();
        System.setErr(console);
        file.close();
    }
}
