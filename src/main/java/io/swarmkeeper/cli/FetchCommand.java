package io.swarmkeeper.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import io.swarmkeeper.node.FetchResult;
import io.swarmkeeper.node.Fetcher;
import io.swarmkeeper.node.SwarmEvents;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.transfer.ContentSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Fetches one resource by hash from a peer of the swarm, or from --origin when no peer",
                "delivers verified bytes. Prints one JSON line",
                "{\"hash\":…,\"bytes\":…,\"source\":\"peer:<id>\"|\"peers:<id>,<id>\"|\"origin\"|\"store\",\"verified\":true}",
                "and exits 0 only when verified bytes were written to --out; otherwise exits 1 with a",
                "one-line reason on stderr and writes nothing to --out.",
                "With --store, a resource already in that store is taken from it (\"source\":\"store\"),",
                "and a fetched one is kept there too.",
                "With --timings, the line also says when each step happened (\"timings\", see --timings)."})
final class FetchCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "Signaling server, ws://host:port.")
    URI server;

    @Option(names = "--server-token", paramLabel = "TOKEN",
            description = "Token for a signaling server that admits peers only with one (its --peer-token); better given as SWARMKEEPER_FETCH_SERVER_TOKEN.")
    String serverToken;

    @Option(names = "--hash", required = true, paramLabel = "ID",
            description = "The resource id: SHA-224 as 56 hex characters, sha256-/sha384-/sha512-<base64> (Subresource Integrity) or mt256-<64 hex> (Merkle root).")
    String hash;

    @Option(names = "--origin", paramLabel = "URL", description = "Where to fetch from when no peer delivers (http or https).")
    URI origin;

    @Option(names = "--size", paramLabel = "BYTES",
            description = "The resource's size in bytes, when known (e.g. from the manifest): the origin's answer must be that long, and one that goes on past it is cut at once.")
    Long size;

    @Option(names = "--allow-private-origins",
            description = "Also fetch --origin (and its redirects) from loopback, private and link-local addresses (127.0.0.1, 10.0.0.0/8, 192.168.0.0/16, 169.254.0.0/16, ::1, fc00::/7, fe80::/10, ...). Off by default: such origins are refused.")
    boolean allowPrivateOrigins;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the verified bytes.")
    Path out;

    @Option(names = "--download-rate", defaultValue = "0", converter = ByteSize.class, paramLabel = "SIZE",
            description = "Most bytes per second downloaded from peers, e.g. 5MB; 0: no cap (default: ${DEFAULT-VALUE}).")
    long downloadRate;

    @Option(names = "--store", paramLabel = "DIR", description = "A content store to read from first and keep the fetched resource in.")
    Path store;

    @Option(names = "--timings",
            description = "Add \"timings\" to the line: milliseconds since the JVM started at which the command began, connected, sent its want, had an open channel, got a holder's first answer (sent right before its first bytes) and the last byte, verified and was done (msSinceJvmStart); each step of the first link's setup in milliseconds since the want (linkSetupMs); and the download's rate from the first answer to the last byte (transferMBps, 10^6 bytes/s).")
    boolean timings;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final FetchTimings timed = new FetchTimings();

    private SwarmEvents events() {
        SwarmEvents events = new SwarmEvents();
        if (timings) {
            events.subscribe(timed);
        }
        return events;
    }

    @Override
    public Integer call() throws Exception {
        StdOut.claim();
        timed.started();
        ResourceId id;
        try {
            id = ResourceId.parse(hash);
        } catch (IllegalArgumentException e) {
            throw SettingErrors.invalid(spec, "--hash", "--hash: " + e.getMessage());
        }
        if (origin != null) {
            String scheme = origin.getScheme() == null ? "" : origin.getScheme().toLowerCase(java.util.Locale.ROOT);
            if ((!scheme.equals("http") && !scheme.equals("https")) || origin.getHost() == null) {
                throw SettingErrors.invalid(spec, "--origin", "--origin " + origin + ": must be an http or https URL with a host");
            }
        }
        if (size != null && size < 0) {
            throw SettingErrors.invalid(spec, "--size", "--size must be 0 or more, got " + size);
        }
        long knownSize = size == null ? -1 : size;
        Path target = out.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw SettingErrors.invalid(spec, "--out", "--out " + out + " is a directory");
        }
        Path parent = target.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw SettingErrors.invalid(spec, "--out", "--out: directory " + parent + " does not exist");
        }
        if (store == null) {
            try (Fetcher fetcher = new Fetcher(server, parent, Fetcher.Options.defaults(), events())) {
                fetcher.setDownloadRate(downloadRate);
                fetcher.setOriginAddresses(AddressPolicy.of(allowPrivateOrigins));
                fetcher.setServerToken(serverToken);
                FetchResult result = fetcher.fetch(id, origin, knownSize);
                try (VerifiedFile file = result.file()) {
                    file.moveTo(target);
                }
                return report(id, result.bytes(), result.source());
            }
        }
        try (ContentStore contentStore = ContentStore.open(store)) {
            Optional<ContentSource.Content> held = contentStore.open(id);
            if (held.isPresent()) {
                try (ContentSource.Content content = held.get(); InputStream in = content.stream();
                     VerifiedFile file = VerifiedFile.stage(id, parent)) {
                    file.writeAll(in); // re-hashed on the way out: the store's disk may have changed
                    file.verify("from store " + store);
                    file.moveTo(target);
                    return report(id, file.size(), "store");
                } catch (HashMismatchException e) {
                    spec.commandLine().getErr().println("swarmkeeper fetch: the store's copy is damaged (" + e.getMessage()
                            + "); dropped, fetching again");
                    contentStore.verify(id);
                }
            }
            try (Fetcher fetcher = new Fetcher(server, parent, Fetcher.Options.defaults(), events())) {
                fetcher.setDownloadRate(downloadRate);
                fetcher.setOriginAddresses(AddressPolicy.of(allowPrivateOrigins));
                fetcher.setServerToken(serverToken);
                FetchResult result = fetcher.fetch(id, origin, knownSize);
                try (VerifiedFile file = result.file()) {
                    try (InputStream in = file.open()) {
                        contentStore.put(id, in, result.mediaType(), "origin".equals(result.source()) ? String.valueOf(origin) : null);
                    } catch (IOException e) {
                        spec.commandLine().getErr().println("swarmkeeper fetch: verified, but not kept in " + store + ": " + e.getMessage());
                    }
                    file.moveTo(target);
                }
                return report(id, result.bytes(), result.source());
            }
        }
    }

    private int report(ResourceId id, long bytes, String source) {
        ObjectNode line = MessageCodec.mapper().createObjectNode();
        line.put("hash", id.text());
        line.put("bytes", bytes);
        line.put("source", source);
        line.put("verified", true);
        if (timings) {
            line.set("timings", timed.toJson());
        }
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
