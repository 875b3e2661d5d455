package io.swarmkeeper.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Fetcher;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.protocol.MessageCodec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Fetches one resource by hash from a peer of the swarm, or from --origin when no peer",
                "delivers verified bytes. Prints one JSON line",
                "{\"hash\":…,\"bytes\":…,\"source\":\"peer:<id>\"|\"origin\",\"verified\":true}",
                "and exits 0 only when verified bytes were written to --out; otherwise exits 1 with a",
                "one-line reason on stderr and writes nothing to --out."})
final class FetchCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "Signaling server, ws://host:port.")
    URI server;

    @Option(names = "--hash", required = true, paramLabel = "HEX", description = "The resource id: SHA-224 as 56 hex characters.")
    String hash;

    @Option(names = "--origin", paramLabel = "URL", description = "Where to fetch from when no peer delivers (http or https).")
    URI origin;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the verified bytes.")
    Path out;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StdOut.claim();
        ResourceId id;
        try {
            id = ResourceId.parse(hash);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--hash: " + e.getMessage());
        }
        Path target = out.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--out " + out + " is a directory");
        }
        Path parent = target.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--out: directory " + parent + " does not exist");
        }
        try (Fetcher fetcher = new Fetcher(server, parent, Fetcher.Options.defaults(), new SwarmEvents())) {
            FetchResult result = fetcher.fetch(id, origin);
            result.file().moveTo(target);
            ObjectNode line = MessageCodec.mapper().createObjectNode();
            line.put("hash", id.hex());
            line.put("bytes", result.bytes());
            line.put("source", result.source());
            line.put("verified", true);
            spec.commandLine().getOut().println(line);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
