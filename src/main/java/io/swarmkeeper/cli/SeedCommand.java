package io.swarmkeeper.cli;

import io.swarmkeeper.manifest.OriginKey;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SeederNode;
import io.swarmkeeper.origin.AddressPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "seed", mixinStandardHelpOptions = true,
        description = {"Runs a headless seeder until stopped (SIGTERM closes it cleanly): fetches each manifest",
                "resource from its origin, and what the swarm asks for (--demand-origin), verifies it against its",
                "hash, keeps it in the store under --store (records in H2, bytes in files, within --quota),",
                "announces it to the signaling server and serves it to peers. Bytes that fail the hash are logged",
                "and not stored. The manifest is read again every --manifest-refresh. Logs one line per event",
                "(peers, transfers, hash checks, store changes, manifests read)."})
final class SeedCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "Signaling server, ws://host:port.")
    URI server;

    @Option(names = "--server-token", paramLabel = "TOKEN",
            description = "Token for a signaling server that admits peers only with one (its --peer-token); better given as SWARMKEEPER_SEED_SERVER_TOKEN.")
    String serverToken;

    @Option(names = "--store", required = true, paramLabel = "DIR", description = "Directory of the content store.")
    Path store;

    @Option(names = "--manifest", paramLabel = "FILE_OR_URL",
            description = "Manifest {\"resources\":[{\"url\":…,\"hash\":…}]}, a file or an http(s) URL. Optional: without it the seeder serves what its store holds.")
    String manifest;

    @Option(names = "--upload-slots", defaultValue = "4", paramLabel = "N",
            description = "Uploads at once, 1..32 (default: ${DEFAULT-VALUE}).")
    int uploadSlots;

    @Option(names = "--quota", defaultValue = "0", converter = ByteSize.class, paramLabel = "SIZE",
            description = "Most bytes the store keeps, e.g. 500MB or 10GiB; the least recently used resources that are not pinned are evicted to stay within it. 0: no limit (default: ${DEFAULT-VALUE}).")
    long quota;

    @Option(names = "--upload-rate", defaultValue = "0", converter = ByteSize.class, paramLabel = "SIZE",
            description = "Most bytes per second uploaded to all peers together, e.g. 2MB; 0: no cap (default: ${DEFAULT-VALUE}).")
    long uploadRate;

    @Option(names = "--demand-origin", split = ",", paramLabel = "URL",
            description = "Also seed what the swarm wants and few peers hold, when the signaling server asks and the resource's URL is at or below one of these http(s) URLs (e.g. https://example.com/static/); repeatable or comma-separated. None (the default): demands are ignored, only the manifest is seeded.")
    List<String> demandOrigins = List.of();

    @Option(names = "--allow-private-origins",
            description = "Also fetch manifests, resources and demands from loopback, private and link-local addresses (127.0.0.1, 10.0.0.0/8, 192.168.0.0/16, 169.254.0.0/16, ::1, fc00::/7, fe80::/10, ...), e.g. an origin on your LAN. Off by default: such URLs, and redirects to them, are refused.")
    boolean allowPrivateOrigins;

    @Option(names = "--trusted-key", split = ",", paramLabel = "KEY",
            description = "Origin public key (ed25519:<base64>, from `swarmkeeper keygen`); repeatable or comma-separated. When set, a manifest is accepted only with a valid signature by one of these keys in <manifest>.sig.")
    List<String> trustedKeys = List.of();

    @Option(names = "--scrub-rate", defaultValue = "8MiB", converter = ByteSize.class, paramLabel = "SIZE",
            description = "Bytes per second the background scrub re-hashes, to find stored bytes damaged on disk; 0 turns it off (default: ${DEFAULT-VALUE}).")
    long scrubRate;

    @Option(names = "--manifest-refresh", defaultValue = "10m", converter = DurationOption.class, paramLabel = "DURATION",
            description = "How often the manifest is read again, so that resources the site publishes later are seeded and those it removed are no longer announced (kept in the store until evicted), e.g. 30s, 10m, 1h; 0 turns it off. A manifest that fails to load or verify keeps the last good one (default: ${DEFAULT-VALUE}).")
    java.time.Duration manifestRefresh;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Seeder.Builder settings = Seeder.builder(server, store);
        try {
            settings.uploadSlots(uploadSlots);
        } catch (IllegalArgumentException e) {
            throw SettingErrors.invalid(spec, "--upload-slots", "--upload-slots: " + e.getMessage());
        }
        if (quota < 0) {
            throw SettingErrors.invalid(spec, "--quota", "--quota must be 0 (no limit) or more");
        }
        List<OriginKey> keys = new ArrayList<>();
        for (String k : trustedKeys) {
            try {
                keys.add(OriginKey.parse(k));
            } catch (IllegalArgumentException e) {
                throw SettingErrors.invalid(spec, "--trusted-key", "--trusted-key: " + e.getMessage());
            }
        }
        AddressPolicy addresses = AddressPolicy.of(allowPrivateOrigins);
        for (String origin : demandOrigins) {
            String problem = DemandOrigins.problem(origin, addresses);
            if (problem != null) {
                throw SettingErrors.invalid(spec, "--demand-origin", "--demand-origin " + origin + ": " + problem);
            }
        }
        if (manifestRefresh.isNegative()) {
            throw SettingErrors.invalid(spec, "--manifest-refresh", "--manifest-refresh must be 0 (off) or more");
        }
        settings.quota(quota).uploadRate(uploadRate).scrubRate(scrubRate).trustedKeys(keys).originAddresses(addresses)
                .demandOrigins(demandOrigins).serverToken(serverToken).manifestRefresh(manifestRefresh).label("seed")
                .logEvents(true).warnings(SeedCommand::warn);
        if (manifest != null) {
            settings.manifest(manifest);
        }
        Seeder seeder = settings.open();
        CountDownLatch stopped = new CountDownLatch(1);
        // Before the first fetch: a SIGTERM in the middle of it closes the store cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            seeder.close();
            stopped.countDown();
        }, "seed-shutdown"));
        SeederNode.SeedReport report = seeder.seedManifests().get(manifest);
        if (report != null) {
            System.err.println("swarmkeeper seed: " + report.stored() + " stored, " + report.alreadyHeld()
                    + " already held, " + report.failures().size() + " failed");
        }
        System.out.println("seeding " + seeder.store().list().size() + " resources as peer " + seeder.peerId()
                + " on " + server);
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** What the assembly warns of, in the command line's words. */
    private static void warn(Seeder.Warning warning) {
        if (warning instanceof Seeder.Warning.QuotaCapped q) {
            System.err.println("swarmkeeper seed: --quota " + q.asked() + " is more than the disk of " + q.store()
                    + " can hold; keeping the store within " + q.kept() + " bytes");
        } else if (warning instanceof Seeder.Warning.UnsignedManifest u) {
            System.err.println("swarmkeeper seed: manifest " + u.source() + " accepted without a signature check"
                    + " (no --trusted-key); its hashes still guard every byte, but not which resources it lists");
        }
    }
}
