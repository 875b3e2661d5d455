package io.swarmkeeper.desktop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Start on login through one file the desktop reads at login: there when on, absent when off. */
abstract class FileAutostart implements Autostart {
    private final Path file;

    FileAutostart(Path file) {
        this.file = file;
    }

    /** The file's contents that start {@code command}. */
    abstract String contents(List<String> command);

    @Override
    public boolean isEnabled() {
        return Files.isRegularFile(file);
    }

    @Override
    public void enable(List<String> command) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, contents(command), StandardCharsets.UTF_8);
    }

    @Override
    public void disable() throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public String location() {
        return file.toString();
    }
}
