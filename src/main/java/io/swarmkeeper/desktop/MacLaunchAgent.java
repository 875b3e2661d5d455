package io.swarmkeeper.desktop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * macOS: a LaunchAgent property list in {@code ~/Library/LaunchAgents}, which launchd runs at
 * login ({@code RunAtLoad}).
 */
public final class MacLaunchAgent implements Autostart {
    static final String LABEL = "io.swarmkeeper.Swarmkeeper";
    private final Path plist;

    public MacLaunchAgent(Path launchAgents) {
        this.plist = launchAgents.resolve(LABEL + ".plist");
    }

    @Override
    public boolean isEnabled() {
        return Files.isRegularFile(plist);
    }

    @Override
    public void enable(List<String> command) throws IOException {
        Files.createDirectories(plist.getParent());
        Files.writeString(plist, propertyList(command), StandardCharsets.UTF_8);
    }

    @Override
    public void disable() throws IOException {
        Files.deleteIfExists(plist);
    }

    @Override
    public String location() {
        return plist.toString();
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
