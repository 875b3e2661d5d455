package io.swarmkeeper.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ContentHash;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "hash", mixinStandardHelpOptions = true,
        description = {"Prints the resource id (SHA-224) of each file, one JSON object per line:",
                "{\"file\":…,\"size\":…,\"sha224\":\"<56 lowercase hex>\"}",
                "Files that cannot be read are reported on stderr; the exit code is then 1."})
final class HashCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to hash.")
    List<Path> files;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        StdOut.claim();
        int failures = 0;
        for (Path file : files) {
            try {
                ObjectNode line = MessageCodec.mapper().createObjectNode();
                ContentHash hash = hash(file);
                line.put("file", file.toString());
                line.put("size", hash.size());
                line.put("sha224", hash.id().hex());
                spec.commandLine().getOut().println(line);
            } catch (IOException e) {
                failures++;
                spec.commandLine().getErr().println("swarmkeeper hash: " + file + ": " + describe(e));
            }
        }
        spec.commandLine().getOut().flush();
        return failures == 0 ? 0 : 1;
    }

    private static ContentHash hash(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return ContentHash.of(in);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }
}
