package io.swarmkeeper.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.protocol.MessageCodec;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.store.StoreStats;
import io.swarmkeeper.store.StoredResource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "store", mixinStandardHelpOptions = true,
        description = {"Looks after a content store (the seeder must not be running on it); never creates one:",
                "a directory that holds no store is refused (seed --store and fetch --store create stores).",
                "  list [TEXT]      resources, one JSON object per line; with TEXT, those whose origin URL,",
                "                   media type or id contains it, most recently used first",
                "  stats            totals as one JSON object",
                "  pin ID… / unpin ID…   pinned resources are never evicted",
                "  remove ID…       deletes resources",
                "  scrub            re-hashes every resource now and drops those that fail",
                "  drops            what was dropped in the last 90 days because its bytes were damaged",
                "                   or gone from disk, newest first, one JSON object per line",
                "  move-aside       keeps a damaged database aside (renamed) so that the store opens",
                "                   afresh; stored bytes are checked and kept"})
final class StoreCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--store", required = true, paramLabel = "DIR", description = "Directory of the content store.")
    Path store;

    @Parameters(index = "0", paramLabel = "ACTION", description = "list, stats, pin, unpin, remove, scrub, drops or move-aside.")
    String action;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG", description = "Resource ids, or the search text for list.")
    List<String> args = List.of();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (action.equals("move-aside")) {
            Path aside = ContentStore.moveAsideDamagedDatabase(store);
            err().println("swarmkeeper store: the database is kept as " + aside
                    + "; the next open starts a fresh one and keeps the stored bytes that verify");
            return 0;
        }
        List<ResourceId> ids = switch (action) {
            case "pin", "unpin", "remove" -> parseIds();
            case "list", "stats", "scrub", "drops" -> List.of();
            default -> throw new ParameterException(spec.commandLine(), "unknown action \"" + action
                    + "\": expected list, stats, pin, unpin, remove, scrub, drops or move-aside");
        };
        StdOut.claim();
        PrintWriter out = spec.commandLine().getOut();
        int missing = 0;
        try (ContentStore contentStore = ContentStore.openExisting(store)) {
            switch (action) {
                case "list" -> {
                    List<StoredResource> found = args.isEmpty() ? contentStore.list()
                            : contentStore.search(String.join(" ", args), Integer.MAX_VALUE);
                    for (StoredResource r : found) {
                        out.println(json(r));
                    }
                }
                case "stats" -> out.println(json(contentStore.stats()));
                case "drops" -> {
                    for (ContentStore.Drop d : contentStore.drops(Integer.MAX_VALUE)) {
                        out.println(json(d));
                    }
                }
                case "scrub" -> {
                    ContentStore.ScrubReport report = contentStore.scrub(Integer.MAX_VALUE);
                    ObjectNode line = MessageCodec.mapper().createObjectNode();
                    line.put("checked", report.checked());
                    line.put("bytes", report.bytes());
                    report.dropped().forEach(id -> line.withArray("dropped").add(id.text()));
                    out.println(line);
                }
                default -> {
                    for (ResourceId id : ids) {
                        boolean found = action.equals("remove") ? contentStore.remove(id)
                                : contentStore.pin(id, action.equals("pin"));
                        if (!found) {
                            missing++;
                            err().println("swarmkeeper store: " + id + " is not in the store");
                        }
                    }
                }
            }
        }
        out.flush();
        return missing == 0 ? 0 : 1;
    }

    private List<ResourceId> parseIds() {
        if (args.isEmpty()) {
            throw new ParameterException(spec.commandLine(), action + " needs at least one resource id");
        }
        try {
            return args.stream().map(ResourceId::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    private static ObjectNode json(StoredResource r) {
        ObjectNode line = MessageCodec.mapper().createObjectNode();
        line.put("id", r.id().text());
        line.put("size", r.size());
        line.put("media_type", r.mediaType());
        line.put("origin", r.origin());
        line.put("added", r.added().toString());
        line.put("last_access", r.lastAccess().toString());
        line.put("hits", r.hits());
        line.put("bytes_served", r.bytesServed());
        line.put("pinned", r.pinned());
        return line;
    }

    private static ObjectNode json(ContentStore.Drop d) {
        ObjectNode line = MessageCodec.mapper().createObjectNode();
        line.put("id", d.id().text());
        line.put("size", d.size());
        line.put("origin", d.origin());
        line.put("why", d.why().name().toLowerCase(java.util.Locale.ROOT));
        line.put("detail", d.detail());
        line.put("at", d.at().toString());
        return line;
    }

    private static ObjectNode json(StoreStats s) {
        ObjectNode line = MessageCodec.mapper().createObjectNode();
        line.put("resources", s.resources());
        line.put("bytes", s.bytes());
        line.put("pinned_resources", s.pinnedResources());
        line.put("pinned_bytes", s.pinnedBytes());
        line.put("quota_bytes", s.quotaBytes());
        line.put("hits", s.hits());
        line.put("bytes_served", s.bytesServed());
        return line;
    }
}
