package io.swarmkeeper.gui.sites;

import io.swarmkeeper.manifest.OriginKey;
import io.swarmkeeper.node.Seeder;
import io.swarmkeeper.node.SeederNode;
import io.swarmkeeper.settings.SavedSettings;
import io.swarmkeeper.settings.SeedRules;
import io.swarmkeeper.settings.SettingRefused;
import io.swarmkeeper.settings.Site;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the Sites view shows and does, without JavaFX: the sites seeded (from the seeder's
 * per-site reports, and the settings file's sites it does not seed yet), adding one (checked by
 * {@link SeedRules}, seeded at once by the running seeder, written to the settings file),
 * removing one, and reading them all again now. Adding and refreshing block: run them off the
 * FX thread.
 */
public final class SitesModel {
    /** One line of the table, as shown. */
    public record Row(String manifest, String signedBy, String resources, String lastRefresh, String error) {}

    /** What is wrong with what the user typed in the add form, field by field; null where nothing is. */
    public record Check(String manifestProblem, String keyProblem) {
        public boolean ok() {
            return manifestProblem == null && keyProblem == null;
        }
    }

    static final String MANIFEST = "manifest";
    static final String KEY = "trusted key";

    private final SavedSettings settings;
    private final Seeder seeder;
    private final ZoneId zone;

    /** Sites of {@code settings}, seeded by {@code seeder}; null while no seeder runs (the demo swarm). */
    public SitesModel(SavedSettings settings, Seeder seeder, ZoneId zone) {
        this.settings = settings;
        this.seeder = seeder;
        this.zone = zone;
    }

    public SitesModel(SavedSettings settings, Seeder seeder) {
        this(settings, seeder, ZoneId.systemDefault());
    }

    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        List<Seeder.SiteReport> reports = seeder == null ? List.of() : seeder.siteReports();
        for (Seeder.SiteReport r : reports) {
            rows.add(new Row(r.manifest(), r.signedBy() == null ? "unsigned" : shortKey(r.signedBy()),
                    r.held() + " / " + r.listed(), when(r.lastRead()), r.lastError() == null ? "" : r.lastError()));
        }
        Set<String> seeded = reports.stream().map(Seeder.SiteReport::manifest).collect(Collectors.toSet());
        for (Site site : settings.current().sites()) {
            if (!seeded.contains(site.manifest())) {
                String keys = site.trustedKeys().stream().map(SitesModel::shortKey).collect(Collectors.joining(", "));
                rows.add(new Row(site.manifest(), keys.isEmpty() ? "unsigned" : keys, "–", "never",
                        seeder == null ? "not seeded yet: the demo swarm runs" : "not seeded: see the log"));
            }
        }
        return rows;
    }

    public Check check(String manifest, String key) {
        return new Check(problem(() -> SeedRules.manifest(MANIFEST, manifest)), problem(() -> SeedRules.trustedKey(KEY, key)));
    }

    private static String problem(Runnable rule) {
        try {
            rule.run();
            return null;
        } catch (SettingRefused e) {
            return e.getMessage();
        }
    }

    /**
     * Adds the site: the running seeder reads its manifest (it must be signed by {@code key}),
     * fetches, verifies and announces its resources; then it is written to the settings file.
     * Returns what happened, for people. Throws with the reason when the input or the manifest is
     * refused; nothing is added then.
     */
    public String add(String manifest, String key) throws IOException {
        Check check = check(manifest, key);
        if (!check.ok()) {
            throw new IllegalArgumentException(check.manifestProblem() != null ? check.manifestProblem() : check.keyProblem());
        }
        Site site = new Site(SeedRules.manifest(MANIFEST, manifest), SeedRules.trustedKey(KEY, key));
        if (settings.current().sites().stream().anyMatch(s -> s.manifest().equals(site.manifest()))) {
            throw new IllegalArgumentException("the site " + site.manifest() + " is seeded already");
        }
        if (seeder == null) {
            settings.update(s -> s.withSite(site));
            return "Saved " + site.manifest() + ": it is seeded once the seeder runs.";
        }
        SeederNode.SeedReport report = seeder.addSite(site.manifest(), site.trustedKeys());
        try {
            settings.update(s -> s.withSite(site));
        } catch (IOException e) {
            seeder.removeSite(site.manifest());
            throw new IOException("the site could not be written to " + settings.file().path() + ": " + e.getMessage(), e);
        }
        return "Seeding " + site.manifest() + ": " + report.listed() + " resources, " + report.stored() + " fetched, "
                + report.alreadyHeld() + " already held, " + report.failures().size() + " failed.";
    }

    /** Stops seeding the site (its resources are no longer announced, kept until evicted) and removes it from the file. */
    public void remove(String manifest) throws IOException {
        settings.update(s -> s.withoutSite(manifest));
        if (seeder != null) {
            seeder.removeSite(manifest);
        }
    }

    /** Reads every site's manifest again now; returns what happened, for people. */
    public String refreshNow() {
        if (seeder == null) {
            return "Nothing to refresh: no seeder runs.";
        }
        int read = seeder.refreshManifests().size();
        int all = seeder.siteReports().size();
        return read == all ? "Read " + all + " manifests again." : "Read " + read + " of " + all + " manifests again; see the errors.";
    }

    /** {@code ed25519:AbCdEfGhIj…}: enough to tell keys apart. */
    static String shortKey(OriginKey key) {
        String text = key.text();
        return text.length() > 18 ? text.substring(0, 18) + "…" : text;
    }

    private String when(Instant at) {
        if (at == null) {
            return "never";
        }
        var local = at.atZone(zone);
        return local.toLocalDate().equals(LocalDate.now(zone))
                ? local.format(DateTimeFormatter.ofPattern("HH:mm:ss"))
                : local.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    }
}
