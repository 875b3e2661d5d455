package io.swarmkeeper.settings;

/**
 * A setting's value refused by {@link SeedRules}: {@code option} names the setting as the
 * command line does ({@code --upload-slots}, or a file key for settings only the file has), and
 * the message starts with that name and says why, without saying where the value came from
 * (the command line and the settings file each add that, through {@link SettingMessages}).
 */
public final class SettingRefused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String option;

    public SettingRefused(String option, String message) {
        super(message);
        this.option = option;
    }

    public String option() {
        return option;
    }
}
