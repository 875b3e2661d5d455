package io.swarmkeeper.cli;

import picocli.CommandLine;

/**
 * The version, from the jar's manifest ({@code Implementation-Version}, which Maven writes from
 * the pom's version into the jar and the installers' jar alike); "development build" when the
 * classes do not come from a jar. {@code --version} and the window's About tab read it.
 */
public final class Version implements CommandLine.IVersionProvider {
    /** The pom's version, e.g. {@code 0.1.0-SNAPSHOT}, or "development build". */
    public static String text() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"swarmkeeper " + text()};
    }
}
