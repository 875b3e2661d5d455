package io.swarmkeeper.geo;

import java.io.IOException;
import java.nio.file.Path;

/** A geolocation file that cannot be used: missing, truncated, or not the format expected. */
public final class GeoDataException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Path file;

    public GeoDataException(Path file, String problem) {
        this(file, problem, null);
    }

    public GeoDataException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
