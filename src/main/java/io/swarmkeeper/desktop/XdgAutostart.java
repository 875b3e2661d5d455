package io.swarmkeeper.desktop;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Linux and other XDG desktops: {@code swarmkeeper.desktop} in {@code $XDG_CONFIG_HOME/autostart}
 * (by default {@code ~/.config/autostart}), as the Desktop Application Autostart Specification
 * describes; the desktop starts its {@code Exec} line at login.
 */
public final class XdgAutostart extends FileAutostart {
    static final String FILE_NAME = "swarmkeeper.desktop";
    public XdgAutostart(Path autostartDirectory) {
        super(autostartDirectory.resolve(FILE_NAME));
    }

    @Override
    String contents(List<String> command) {
        return desktopEntry(command);
    }

    static String desktopEntry(List<String> command) {
        return "[Desktop Entry]\n"
                + "Type=Application\n"
                + "Name=Swarmkeeper\n"
                + "Comment=Seeds your websites to their visitors, peer to peer\n"
                + "Exec=" + command.stream().map(XdgAutostart::quoted).collect(Collectors.joining(" ")) + "\n"
                + "Terminal=false\n"
                + "X-GNOME-Autostart-enabled=true\n";
    }

    /**
     * One argument of an {@code Exec} line: quoted when it holds anything but plain characters,
     * with {@code " ` $ \} escaped inside the quotes, then every backslash doubled again and
     * {@code %} written {@code %%}, as the Desktop Entry Specification asks.
     */
    static String quoted(String arg) {
        String escaped = arg;
        if (!arg.matches("[A-Za-z0-9_./:=+,@-]+")) {
            escaped = "\"" + arg.replaceAll("([\"`$\\\\])", "\\\\$1") + "\"";
        }
        return escaped.replace("\\", "\\\\").replace("%", "%%");
    }
}
