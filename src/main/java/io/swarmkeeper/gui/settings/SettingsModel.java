package io.swarmkeeper.gui.settings;

import io.swarmkeeper.desktop.Autostart;
import io.swarmkeeper.desktop.Tray;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.settings.InvalidSettingException;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SeederSettings;
import io.swarmkeeper.settings.SettingsFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What the Settings view shows and does, without JavaFX: every setting as text, checked as
 * {@code seed} checks the same key in its file ({@link SettingsFile#read}), so a problem reads
 * as the command line's message; saving writes the settings file, applies the upload cap, upload
 * slots and quota to the running seeder at once, and turns start on login on or off.
 */
public final class SettingsModel {
    /** Where values typed in the window come from, in messages. */
    static final String SOURCE = "the Settings window";

    private final SavedSettings saved;
    private final Seeder seeder;
    private final Autostart autostart;
    private final Tray tray;

    /** {@code seeder}: the running one, or null (the demo swarm runs). */
    public SettingsModel(SavedSettings saved, Seeder seeder, Autostart autostart, Tray tray) {
        this.saved = saved;
        this.seeder = seeder;
        this.autostart = autostart;
        this.tray = tray;
    }

    /** The settings as the fields show them. */
    public Map<SettingField, String> texts() {
        Map<String, String> entries = SettingsFile.entries(saved.current());
        Map<SettingField, String> texts = new EnumMap<>(SettingField.class);
        for (SettingField f : SettingField.values()) {
            String value = entries.get(f.key());
            texts.put(f, value == null ? "" : value);
        }
        return texts;
    }

    /** Why "minimise to tray" is off and cannot be turned on; null when the desktop has a tray. */
    public String trayProblem() {
        return tray.unavailableReason();
    }

    /** True when the user's own seeder runs (not the demo swarm): caps, slots and quota apply to it at once. */
    public boolean seederRunning() {
        return seeder != null;
    }

    /** Where the settings are written. */
    public String filePath() {
        return saved.file().path().toString();
    }

    /** What is wrong with {@code field}'s text, given the others (demand origins depend on private origins); null: nothing. */
    public String problem(SettingField field, Map<SettingField, String> texts) {
        Properties p = new Properties();
        put(p, field, texts);
        if (field == SettingField.DEMAND_ORIGINS) {
            put(p, SettingField.ALLOW_PRIVATE_ORIGINS, texts);
        }
        try {
            SettingsFile.read(p, key -> SOURCE);
            return null;
        } catch (InvalidSettingException e) {
            return field.key().equals(e.key()) ? e.getMessage() : null;
        }
    }

    /** The problem of every field that has one. */
    public Map<SettingField, String> problems(Map<SettingField, String> texts) {
        Map<SettingField, String> problems = new EnumMap<>(SettingField.class);
        for (SettingField f : SettingField.values()) {
            String problem = problem(f, texts);
            if (problem != null) {
                problems.put(f, problem);
            }
        }
        return problems;
    }

    private static void put(Properties p, SettingField field, Map<SettingField, String> texts) {
        String text = texts.getOrDefault(field, "").strip();
        if (!text.isEmpty()) {
            p.setProperty(field.key(), text);
        }
    }

    /** What a save did: the file written, what applies now, what at the next start. */
    public record Saved(SeederSettings settings, List<String> appliedNow, List<String> atNextStart) {}

    /**
     * Checks every field, writes the settings file (its sites and every key it does not manage
     * kept), applies what can change while running, and says what waits for a restart. Throws
     * {@link IllegalArgumentException} with the first problem when a field is refused; nothing is
     * written then.
     */
    public Saved save(Map<SettingField, String> texts) throws IOException {
        Map<SettingField, String> problems = problems(texts);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.values().iterator().next());
        }
        Properties p = new Properties();
        for (SettingField f : SettingField.values()) {
            put(p, f, texts);
        }
        if (trayProblem() != null) {
            p.setProperty(SettingField.MINIMISE_TO_TRAY.key(), "false");
        }
        SeederSettings before = saved.current();
        SeederSettings typed = SettingsFile.read(p, key -> SOURCE).withSites(before.sites());
        SeederSettings after = saved.update(s -> typed);
        List<String> now = new ArrayList<>();
        List<String> later = new ArrayList<>();
        Map<SettingField, String> was = textsOf(before);
        Map<SettingField, String> is = textsOf(after);
        for (SettingField f : SettingField.values()) {
            if (!was.get(f).equals(is.get(f))) {
                boolean desktop = f == SettingField.START_ON_LOGIN || f == SettingField.MINIMISE_TO_TRAY;
                (f.appliesAtOnce() && (seeder != null || desktop) ? now : later).add(f.label());
            }
        }
        if (seeder != null) {
            seeder.setUploadRate(after.uploadRate());
            seeder.setUploadSlots(after.uploadSlots());
            if (after.quota() != before.quota()) {
                seeder.store().setQuota(after.quota());
            }
        }
        if (after.startOnLogin() != autostart.isEnabled()) {
            if (after.startOnLogin()) {
                autostart.enable(Autostart.currentCommand());
            } else {
                autostart.disable();
            }
        }
        return new Saved(after, now, later);
    }

    private static Map<SettingField, String> textsOf(SeederSettings settings) {
        Map<String, String> entries = SettingsFile.entries(settings);
        Map<SettingField, String> texts = new EnumMap<>(SettingField.class);
        for (SettingField f : SettingField.values()) {
            texts.put(f, String.valueOf(entries.get(f.key())));
        }
        return texts;
    }
}
