package io.swarmkeeper.settings;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The user's settings as the window holds them: the last state written to (or read from) the
 * settings file, changed only by writing the change to the file first. Shared by the views that
 * change settings (Sites, Settings), so that each writes on top of the other's changes.
 */
public final class SavedSettings {
    private final SettingsFile file;
    private SeederSettings current;
    private final List<Consumer<SeederSettings>> listeners = new CopyOnWriteArrayList<>();

    public SavedSettings(SettingsFile file, SeederSettings current) {
        this.file = file;
        this.current = current;
    }

    /** The settings in {@code file} (its defaults when it does not exist); a bad value throws naming its key. */
    public static SavedSettings load(SettingsFile file) throws IOException {
        return new SavedSettings(file, file.load());
    }

    public synchronized SeederSettings current() {
        return current;
    }

    public SettingsFile file() {
        return file;
    }

    /** Applies {@code change}, writes the result to the file, and returns it; on failure nothing changes. */
    public SeederSettings update(UnaryOperator<SeederSettings> change) throws IOException {
        SeederSettings next;
        synchronized (this) {
            next = change.apply(current);
            file.save(next);
            current = next;
        }
        for (Consumer<SeederSettings> listener : listeners) {
            listener.accept(next); // outside the lock: a listener may read or change the settings
        }
        return next;
    }

    /** Calls {@code listener} with the settings after each change written to the file (on the changer's thread). */
    public void onSaved(Consumer<SeederSettings> listener) {
        listeners.add(listener);
    }
}
