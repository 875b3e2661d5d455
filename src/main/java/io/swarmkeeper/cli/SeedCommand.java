package io.swarmkeeper.cli;

import io.swarmkeeper.manifest.OriginKey;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SeederNode;
import io.swarmkeeper.origin.AddressPolicy;
import io.swarmkeeper.settings.InvalidSettingException;
import io.swarmkeeper.settings.SeedRules;
import io.swarmkeeper.settings.SeederSettings;
import io.swarmkeeper.settings.SettingRefused;
import io.swarmkeeper.settings.SettingsFile;
import io.swarmkeeper.settings.Site;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

    @Option(names = "--site", arity = "2", paramLabel = "MANIFEST KEY",
            description = {"A site to seed: its manifest (an http(s) URL or a file) and the origin key (ed25519:<base64>) its manifest must be signed by, e.g. --site https://example.com/manifest.json ed25519:AbC…; repeatable, one site each. Without it, the configuration file's sites are seeded (keys seed.site.N.manifest and seed.site.N.trusted-key, N = 1, 2, …: what the window's Sites view writes)."})
    List<String> siteArgs = List.of();

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

    /** The settings this command was given, checked as the window checks them ({@link SeedRules}). */
    SeederSettings settings() {
        try {
            SeedRules.uploadSlots(uploadSlots);
            SeedRules.quota(quota);
            SeedRules.manifestRefresh(manifestRefresh);
            SeedRules.server(server.toString());
            List<OriginKey> keys = new ArrayList<>();
            for (String k : trustedKeys) {
                keys.add(SeedRules.trustedKey("--trusted-key", k));
            }
            SeedRules.demandOrigins(demandOrigins, AddressPolicy.of(allowPrivateOrigins));
            List<Site> sites = new ArrayList<>();
            if (manifest != null) {
                sites.add(new Site(SeedRules.manifest("--manifest", manifest), keys));
            }
            sites.addAll(siteArgs.isEmpty() ? sitesOfTheFile() : sitesOfTheCommandLine());
            return new SeederSettings(server, serverToken, store, quota, uploadRate, uploadSlots, scrubRate, demandOrigins,
                    allowPrivateOrigins, manifestRefresh, sites, false, false);
        } catch (SettingRefused e) {
            throw SettingErrors.invalid(spec, e.option(), e.getMessage());
        }
    }

    private List<Site> sitesOfTheCommandLine() {
        if (siteArgs.size() % 2 != 0) {
            throw new SettingRefused("--site", "--site needs a manifest and a trusted key");
        }
        List<Site> sites = new ArrayList<>();
        for (int i = 0; i < siteArgs.size(); i += 2) {
            sites.add(new Site(SeedRules.manifest("--site", siteArgs.get(i)), SeedRules.trustedKey("--site", siteArgs.get(i + 1))));
        }
        return sites;
    }

    private List<Site> sitesOfTheFile() {
        if (!(spec.defaultValueProvider() instanceof ConfigDefaults config)) {
            return List.of();
        }
        try {
            return SettingsFile.sites(config.properties(), config.filePath());
        } catch (InvalidSettingException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        SeederSettings chosen = settings();
        Seeder.Builder settings = chosen.seederBuilder().label("seed").logEvents(true).warnings(SeedCommand::warn);
        Seeder seeder = settings.open();
        CountDownLatch stopped = new CountDownLatch(1);
        // Before the first fetch: a SIGTERM in the middle of it closes the store cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            seeder.close();
            stopped.countDown();
        }, "seed-shutdown"));
        for (SeederNode.SeedReport report : seeder.seedManifests().values()) {
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
