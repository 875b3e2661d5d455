package io.swarmkeeper.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One instance per user: a second launch asks the first to show its window and exits; a dead first is replaced. */
@Timeout(60)
class SingleInstanceTest {
    @TempDir
    Path dir;

    @Test
    void aSecondClaimInTheSameJvmAsksTheFirstToShow() throws Exception {
        AtomicInteger shown = new AtomicInteger();
        SingleInstance.Claim first = SingleInstance.claim(dir, shown::incrementAndGet);
        assertTrue(first instanceof SingleInstance.Claim.First, first.toString());
        Path portFile = dir.resolve(SingleInstance.PORT_FILE);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(portFile));
        String[] portAndToken = Files.readString(portFile).trim().split(" ");
        assertEquals(((SingleInstance.Claim.First) first).instance().port(), Integer.parseInt(portAndToken[0]));

        SingleInstance.Claim second = SingleInstance.claim(dir, () -> {
            throw new AssertionError("the second is never asked");
        });
        assertEquals(new SingleInstance.Claim.Second(true,
                "the running instance (port " + portAndToken[0] + ") was asked to show its window"), second);
        assertEquals(1, shown.get());

        // Without the token, nothing is shown.
        try (Socket stranger = new Socket("127.0.0.1", Integer.parseInt(portAndToken[0]))) {
            stranger.getOutputStream().write("show 00\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(null, new BufferedReader(new InputStreamReader(stranger.getInputStream())).readLine());
        }
        assertEquals(1, shown.get());

        ((SingleInstance.Claim.First) first).instance().close();
        assertFalse(Files.exists(portFile));
        SingleInstance.Claim after = SingleInstance.claim(dir, () -> { });
        assertTrue(after instanceof SingleInstance.Claim.First, "the first closed: the next is first");
        ((SingleInstance.Claim.First) after).instance().close();
    }

    @Test
    void aSecondProcessShowsTheFirstAndADeadFirstIsReplaced() throws Exception {
        Process first = launch();
        BufferedReader firstOut = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("first", firstOut.readLine());

        Process second = launch();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue());
        assertEquals("second shown=true", new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        assertEquals("show", firstOut.readLine(), "the first was asked to show its window");

        // This JVM is a second launch too, while the first runs.
        assertTrue(SingleInstance.claim(dir, () -> { }) instanceof SingleInstance.Claim.Second s && s.shown());
        assertEquals("show", firstOut.readLine());

        // The first dies without cleaning up: its files stay, its lock does not.
        first.destroyForcibly().waitFor();
        assertTrue(Files.exists(dir.resolve(SingleInstance.PORT_FILE)), "left behind by the dead process");
        SingleInstance.Claim taken = SingleInstance.claim(dir, () -> { });
        assertTrue(taken instanceof SingleInstance.Claim.First, "a stale lock is taken over: " + taken);
        ((SingleInstance.Claim.First) taken).instance().close();
    }

    private Process launch() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SecondLaunch.class.getName(), dir.toString());
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
