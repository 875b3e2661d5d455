package io.swarmkeeper.desktop;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A launch of the app reduced to its single-instance check, run as a process of its own by
 * {@link SingleInstanceTest}: prints "first" (then "show" each time it is asked, until its
 * standard input closes) or "second shown=true|false".
 */
public final class SecondLaunch {
    private SecondLaunch() {}

    public static void main(String[] args) throws IOException {
        SingleInstance.Claim claim = SingleInstance.claim(Path.of(args[0]), () -> {
            System.out.println("show");
            System.out.flush();
        });
        if (claim instanceof SingleInstance.Claim.First first) {
            System.out.println("first");
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the test closes our input
            }
            first.instance().close();
        } else if (claim instanceof SingleInstance.Claim.Second second) {
            System.out.println("second shown=" + second.shown());
        }
        System.exit(0);
    }
}
