package io.swarmkeeper.settings;

import java.io.IOException;

/** A value in the settings file that {@code seed} would refuse; the message names the file and key, in the CLI's words. */
public final class InvalidSettingException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public InvalidSettingException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The file's key, e.g. {@code seed.upload-slots}. */
    public String key() {
        return key;
    }
}
