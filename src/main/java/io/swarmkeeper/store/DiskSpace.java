package io.swarmkeeper.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Tells a full disk from other failures, whoever reported it (the JDK, H2, the OS). */
final class DiskSpace {
    private DiskSpace() {}

    /**
     * Bytes a store leaves free on its disk: 2 % of the disk, at least 1 MiB and at most 64 MiB.
     * Enough for H2 to write its records after the store's own bytes stop coming.
     */
    static long reserve(Path directory) throws IOException {
        long total = Files.getFileStore(directory).getTotalSpace();
        return Math.max(1L << 20, Math.min(64L << 20, total / 50));
    }

    /** Bytes this process may still write on the disk of {@code directory}. */
    static long usable(Path directory) throws IOException {
        return Files.getFileStore(directory).getUsableSpace();
    }

    /** True when {@code failure} or one of its causes says the device has no space left (ENOSPC). */
    static boolean isNoSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains("no space left on device")) {
                return true;
            }
            if (t instanceof java.nio.file.FileSystemException f && f.getReason() != null
                    && f.getReason().toLowerCase(Locale.ROOT).contains("no space left")) {
                return true;
            }
        }
        return false;
    }
}
