package io.swarmkeeper.cli;

/**
 * Machine-readable stdout. webrtc-java 0.14.0 prints "VM attach current thread failed" on
 * stdout while the JVM exits; commands whose stdout is JSON lines close it once their output
 * is written (the JDK then points file descriptor 1 at /dev/null), so that line never mixes in.
 */
final class StdOut {
    private static volatile boolean machineReadable;

    private StdOut() {}

    /** Marks this run's stdout as machine-readable. */
    static void claim() {
        machineReadable = true;
    }

    static void release() {
        System.out.flush();
        if (machineReadable) {
            System.out.close();
        }
    }
}
