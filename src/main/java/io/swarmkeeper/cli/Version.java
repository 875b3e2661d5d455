package io.swarmkeeper.cli;

import picocli.CommandLine;

/** The version, from the jar's manifest when there is one. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"swarmkeeper " + text()};
    }

    /** The version of this build ({@code 0.1.0}), or "development build" when it runs from classes, not the jar. */
    public static String text() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
