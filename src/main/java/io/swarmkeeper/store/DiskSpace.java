package io.swarmkeeper.store;

import java.util.Locale;

/** Tells a full disk from other failures, whoever reported it (the JDK, H2, the OS). */
final class DiskSpace {
    private DiskSpace() {}

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
