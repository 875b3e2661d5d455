package io.swarmkeeper.testing;

/**
 * WebRTC tests may only run where the test command put them: inside a network namespace of
 * their own ({@code .ci/test} as root), or, on a developer's own machine, on its ordinary
 * interfaces when the developer says so. Anything else fails the test with instructions,
 * because libwebrtc would otherwise use every address of the machine.
 */
public final class TestNetwork {
    public static final String VARIABLE = "SWARMKEEPER_TEST_NETWORK";

    private TestNetwork() {}

    public static void requireIsolatedOrAllowed() {
        String mode = System.getenv(VARIABLE);
        if (!"netns".equals(mode) && !"host".equals(mode)) {
            throw new AssertionError("WebRTC tests need " + VARIABLE + ": run them with .ci/test, which creates a network"
                    + " namespace (netns), or set " + VARIABLE + "=host on a machine whose interfaces you may use.");
        }
    }
}
