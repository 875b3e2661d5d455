package io.swarmkeeper.settings;

import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.origin.AddressPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a user sets about their seeder, as {@code seed} and the window both read it from
 * the settings file ({@link SettingsFile}), checked by {@link SeedRules} on construction (a bad
 * value throws {@link SettingRefused}). {@code server} and {@code store} are null until the user
 * chose them: such settings are not {@link #configured()}, and the window shows the demo swarm.
 *
 * @param serverToken   token for a signaling server that admits peers only with one; null: none
 * @param quota         most bytes the store keeps; 0: no limit
 * @param uploadRate    most bytes per second uploaded to all peers together; 0: no cap
 * @param uploadSlots   uploads at once, 1..32
 * @param scrubRate     bytes per second the background scrub re-hashes; 0: off
 * @param demandOrigins prefixes of the origins whose resources are taken on demand
 * @param manifestRefresh how often the manifests are read again; 0: only when asked
 * @param sites         the websites seeded, each with the keys its manifest must be signed by
 * @param startOnLogin  the window starts when the user logs in (desktop only)
 * @param minimiseToTray closing the window keeps seeding in the system tray (desktop only)
 */
public record SeederSettings(URI server, String serverToken, Path store, long quota, long uploadRate, int uploadSlots,
                             long scrubRate, List<String> demandOrigins, boolean allowPrivateOrigins,
                             Duration manifestRefresh, List<Site> sites, boolean startOnLogin, boolean minimiseToTray) {
    public static final int DEFAULT_UPLOAD_SLOTS = 4;
    public static final long DEFAULT_SCRUB_RATE = 8L << 20;
    public static final Duration DEFAULT_MANIFEST_REFRESH = Duration.ofMinutes(10);

    public SeederSettings {
        if (server != null) {
            SeedRules.server(server.toString());
        }
        if (serverToken != null && serverToken.isBlank()) {
            serverToken = null;
        }
        SeedRules.quota(quota);
        SeedRules.uploadRate(uploadRate);
        SeedRules.uploadSlots(uploadSlots);
        SeedRules.scrubRate(scrubRate);
        demandOrigins = SeedRules.demandOrigins(demandOrigins, AddressPolicy.of(allowPrivateOrigins));
        SeedRules.manifestRefresh(manifestRefresh);
        sites = List.copyOf(sites);
    }

    /** Nothing chosen yet: the built-in defaults of {@code seed}, no server, no store, no sites. */
    public static SeederSettings defaults() {
        return new SeederSettings(null, null, null, 0, 0, DEFAULT_UPLOAD_SLOTS, DEFAULT_SCRUB_RATE, List.of(), false,
                DEFAULT_MANIFEST_REFRESH, List.of(), false, false);
    }

    /** True when a signaling server and a store are chosen: enough to seed. */
    public boolean configured() {
        return server != null && store != null;
    }

    public SeederSettings withServer(URI server, String token) {
        return new SeederSettings(server, token, store, quota, uploadRate, uploadSlots, scrubRate, demandOrigins,
                allowPrivateOrigins, manifestRefresh, sites, startOnLogin, minimiseToTray);
    }

    public SeederSettings withStore(Path store, long quota) {
        return new SeederSettings(server, serverToken, store, quota, uploadRate, uploadSlots, scrubRate, demandOrigins,
                allowPrivateOrigins, manifestRefresh, sites, startOnLogin, minimiseToTray);
    }

    public SeederSettings withUploads(long uploadRate, int uploadSlots) {
        return new SeederSettings(server, serverToken, store, quota, uploadRate, uploadSlots, scrubRate, demandOrigins,
                allowPrivateOrigins, manifestRefresh, sites, startOnLogin, minimiseToTray);
    }

    public SeederSettings withSites(List<Site> sites) {
        return new SeederSettings(server, serverToken, store, quota, uploadRate, uploadSlots, scrubRate, demandOrigins,
                allowPrivateOrigins, manifestRefresh, sites, startOnLogin, minimiseToTray);
    }

    /** These settings with {@code site} added, or its keys replaced when its manifest is seeded already. */
    public SeederSettings withSite(Site site) {
        List<Site> all = new ArrayList<>(sites.stream().filter(s -> !s.manifest().equals(site.manifest())).toList());
        all.add(site);
        return withSites(all);
    }

    public SeederSettings withoutSite(String manifest) {
        return withSites(sites.stream().filter(s -> !s.manifest().equals(manifest)).toList());
    }

    public SeederSettings withDesktop(boolean startOnLogin, boolean minimiseToTray) {
        return new SeederSettings(server, serverToken, store, quota, uploadRate, uploadSlots, scrubRate, demandOrigins,
                allowPrivateOrigins, manifestRefresh, sites, startOnLogin, minimiseToTray);
    }

    /**
     * A {@link Seeder} of these settings, to be opened: the same assembly {@code seed} makes.
     * Needs {@link #configured()} settings.
     */
    public Seeder.Builder seederBuilder() {
        if (!configured()) {
            throw new IllegalStateException("no signaling server or store chosen yet");
        }
        Seeder.Builder builder = Seeder.builder(server, store).uploadSlots(uploadSlots).quota(quota).uploadRate(uploadRate)
                .scrubRate(scrubRate).originAddresses(AddressPolicy.of(allowPrivateOrigins)).demandOrigins(demandOrigins)
                .serverToken(serverToken).manifestRefresh(manifestRefresh);
        for (Site site : sites) {
            builder.site(site.manifest(), site.trustedKeys());
        }
        return builder;
    }
}
