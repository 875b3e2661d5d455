package io.swarmkeeper.desktop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Windows: a value named Swarmkeeper under the user's Run key
 * ({@code HKCU\Software\Microsoft\Windows\CurrentVersion\Run}), set and removed with
 * {@code reg.exe}, which every Windows has.
 */
public final class WindowsRunKey implements Autostart {
    static final String KEY = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
    static final String VALUE = "Swarmkeeper";

    /** Runs {@code reg} with arguments; returns its exit code. */
    @FunctionalInterface
    interface Reg {
        int run(List<String> args) throws IOException;
    }

    private final Reg reg;

    WindowsRunKey(Reg reg) {
        this.reg = reg;
    }

    @Override
    public boolean isEnabled() throws IOException {
        return reg.run(List.of("query", KEY, "/v", VALUE)) == 0;
    }

    @Override
    public void enable(List<String> command) throws IOException {
        check(reg.run(List.of("add", KEY, "/v", VALUE, "/t", "REG_SZ", "/d", commandLine(command), "/f")), "add");
    }

    @Override
    public void disable() throws IOException {
        if (isEnabled()) {
            check(reg.run(List.of("delete", KEY, "/v", VALUE, "/f")), "delete");
        }
    }

    @Override
    public String location() {
        return KEY + "\\" + VALUE;
    }

    private static void check(int exit, String what) throws IOException {
        if (exit != 0) {
            throw new IOException("reg " + what + " " + KEY + " /v " + VALUE + " failed with exit code " + exit);
        }
    }

    /** The command as one Windows command line: each argument in double quotes. */
    static String commandLine(List<String> command) {
        return command.stream().map(a -> "\"" + a.replace("\"", "\\\"") + "\"").collect(Collectors.joining(" "));
    }

    static int run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("reg");
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("reg " + args.get(0) + " did not finish in 20 s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
