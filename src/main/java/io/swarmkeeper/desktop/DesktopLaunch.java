package io.swarmkeeper.desktop;

import io.swarmkeeper.settings.InvalidSettingException;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SettingsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The desktop app's first steps, in order, before any window: the single instance (a second
 * launch asks the first to show itself and goes no further, leaving the first's log file alone),
 * then the log file, then the settings file {@code seed} shares.
 */
public final class DesktopLaunch {
    /**
     * A launch that is the one instance: its log, its instance (close both at exit), and its
     * settings, or, when the settings file holds a value {@code seed} would refuse, null and that
     * problem (the window then shows it and writes nothing, so the file is not overwritten).
     */
    public record Started(DesktopLog log, SingleInstance instance, SettingsFile file, SavedSettings settings,
                          String settingsProblem) {}

    private DesktopLaunch() {}

    /**
     * Claims the single instance in the user's settings directory ({@code onShow} runs, on the
     * instance's own thread, each time a later launch asks), starts the log in the platform's
     * place, and loads the settings ({@code explicitConfig}: a {@code --config} path, or null). Returns
     * empty when another instance runs and was asked to show itself: the caller exits with 0.
     */
    public static Optional<Started> begin(Path explicitConfig, Map<String, String> environment, String osName,
                                          Runnable onShow) throws IOException {
        SingleInstance.Claim claim = SingleInstance.claim(SettingsFile.userConfigDirectory(environment, osName), onShow);
        if (claim instanceof SingleInstance.Claim.Second second) {
            System.err.println("swarmkeeper: " + second.detail());
            return Optional.empty();
        }
        SingleInstance instance = ((SingleInstance.Claim.First) claim).instance();
        DesktopLog log;
        try {
            log = DesktopLog.start(DesktopLog.defaultDirectory(environment, osName));
        } catch (IOException | RuntimeException e) {
            instance.close();
            throw e;
        }
        SettingsFile file = new SettingsFile(SettingsFile.locate(explicitConfig, environment, osName).path());
        try {
            return Optional.of(new Started(log, instance, file, SavedSettings.load(file), null));
        } catch (InvalidSettingException e) {
            return Optional.of(new Started(log, instance, file, null, e.getMessage()));
        } catch (IOException | RuntimeException e) {
            instance.close();
            log.close();
            throw e;
        }
    }
}
