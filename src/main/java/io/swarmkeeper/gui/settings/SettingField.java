package io.swarmkeeper.gui.settings;

/** A field of the Settings view: the settings file's key it edits, and its label. */
public enum SettingField {
    SERVER("seed.server", "Signaling server", false),
    SERVER_TOKEN("seed.server-token", "Server token", false),
    STORE("seed.store", "Store folder", false),
    QUOTA("seed.quota", "Quota", true),
    UPLOAD_RATE("seed.upload-rate", "Upload cap (per second)", true),
    UPLOAD_SLOTS("seed.upload-slots", "Upload slots", true),
    SCRUB_RATE("seed.scrub-rate", "Scrub rate (per second)", false),
    DEMAND_ORIGINS("seed.demand-origin", "Demand origins", false),
    ALLOW_PRIVATE_ORIGINS("seed.allow-private-origins", "Allow private origins", false),
    MANIFEST_REFRESH("seed.manifest-refresh", "Manifest refresh", false),
    START_ON_LOGIN("desktop.start-on-login", "Start on login", true),
    MINIMISE_TO_TRAY("desktop.minimise-to-tray", "Minimise to tray", true);

    private final String key;
    private final String label;
    private final boolean appliesAtOnce;

    SettingField(String key, String label, boolean appliesAtOnce) {
        this.key = key;
        this.label = label;
        this.appliesAtOnce = appliesAtOnce;
    }

    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    /** True when a change takes effect on the running app; the others at its next start. */
    public boolean appliesAtOnce() {
        return appliesAtOnce;
    }

    public boolean isSwitch() {
        return this == ALLOW_PRIVATE_ORIGINS || this == START_ON_LOGIN || this == MINIMISE_TO_TRAY;
    }
}
