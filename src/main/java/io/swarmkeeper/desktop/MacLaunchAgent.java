package io.swarmkeeper.desktop;

import java.nio.file.Path;
import java.util.List;

/**
 * macOS: a LaunchAgent property list in {@code ~/Library/LaunchAgents}, which launchd runs at
 * login ({@code RunAtLoad}).
 */
public final class MacLaunchAgent extends FileAutostart {
    static final String LABEL = "io.swarmkeeper.Swarmkeeper";
    public MacLaunchAgent(Path launchAgents) {
        super(launchAgents.resolve(LABEL + ".plist"));
    }

    @Override
    String contents(List<String> command) {
        return propertyList(command);
    }

    static String propertyList(List<String> command) {
        StringBuilder args = new StringBuilder();
        for (String arg : command) {
            args.append("        <string>").append(xml(arg)).append("</string>\n");
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                + "<plist version=\"1.0\">\n"
                + "<dict>\n"
                + "    <key>Label</key>\n"
                + "    <string>" + LABEL + "</string>\n"
                + "    <key>ProgramArguments</key>\n"
                + "    <array>\n"
                + args
                + "    </array>\n"
                + "    <key>RunAtLoad</key>\n"
                + "    <true/>\n"
                + "    <key>ProcessType</key>\n"
                + "    <string>Interactive</string>\n"
                + "</dict>\n"
                + "</plist>\n";
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
