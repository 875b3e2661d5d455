package io.swarmkeeper.settings;

import io.swarmkeeper.manifest.OriginKey;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings file {@code seed} reads its defaults from ({@code seed.<option>} keys, Java
 * properties in UTF-8) and the window writes: {@code --config FILE}, else
 * {@code $SWARMKEEPER_CONFIG}, else {@code swarmkeeper.properties} in the user's configuration
 * directory. Sites are {@code seed.site.N.manifest} and {@code seed.site.N.trusted-key} for
 * N = 1, 2, …; an older file's {@code seed.manifest} (signed by {@code seed.trusted-key}) is
 * read as the first site. The desktop's own keys are {@code desktop.start-on-login} and
 * {@code desktop.minimise-to-tray}. Values are checked by {@link SeedRules}, and a bad one is
 * refused in the words {@code seed} uses, naming the file and key.
 *
 * <p>Saving rewrites only the keys it manages, in place, and keeps every other line (unknown
 * keys, comments, blank lines); it writes a temporary file beside the real one, readable by its
 * owner only (it may hold the server token), and moves it over the real one.
 */
public final class SettingsFile {
    public static final String FILE_NAME = "swarmkeeper.properties";
    public static final String SITE_PREFIX = "seed.site.";
    private static final Pattern SITE_KEY = Pattern.compile("seed\\.site\\.(\\d{1,6})\\.(manifest|trusted-key)");
    /** The keys {@link #save} writes (with the site keys); every other key is kept as it is. */
    private static final List<String> MANAGED = List.of("seed.server", "seed.server-token", "seed.store", "seed.quota",
            "seed.upload-rate", "seed.upload-slots", "seed.scrub-rate", "seed.demand-origin", "seed.allow-private-origins",
            "seed.manifest-refresh", "seed.manifest", "desktop.start-on-login", "desktop.minimise-to-tray");

    private final Path path;

    public SettingsFile(Path path) {
        this.path = path;
    }

    /** Where the file is and whether it must exist (it must when named by --config or $SWARMKEEPER_CONFIG). */
    public record Location(Path path, boolean required) {}

    /** The file named by {@code explicit} (--config; may be null), else the environment, else the convention. */
    public static Location locate(Path explicit, Map<String, String> environment, String osName) {
        if (explicit != null) {
            return new Location(explicit, true);
        }
        String named = environment.get("SWARMKEEPER_CONFIG");
        if (named != null) {
            return new Location(Path.of(named), true);
        }
        return new Location(userConfigDirectory(environment, osName).resolve(FILE_NAME), false);
    }

    /**
     * Where the user's settings live by the platform's convention: {@code %APPDATA%\Swarmkeeper}
     * on Windows, {@code ~/Library/Application Support/Swarmkeeper} on macOS, and elsewhere
     * {@code $XDG_CONFIG_HOME/swarmkeeper} (by default {@code ~/.config/swarmkeeper}).
     */
    public static Path userConfigDirectory(Map<String, String> environment, String osName) {
        return PlatformDirectories.config(environment, osName);
    }

    public Path path() {
        return path;
    }

    public boolean exists() {
        return Files.isRegularFile(path);
    }

    /** The file's properties; empty when it does not exist. */
    public Properties properties() throws IOException {
        Properties properties = new Properties();
        if (Files.isRegularFile(path)) {
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("configuration file " + path + " cannot be read: " + e.getMessage(), e);
            }
        }
        return properties;
    }

    /** The settings in the file (the defaults where it is silent, or when it does not exist). */
    public SeederSettings load() throws IOException {
        return read(properties(), path);
    }

    /** The settings {@code properties}, read from {@code file}, say; a bad value throws naming the file and key. */
    public static SeederSettings read(Properties p, Path file) throws InvalidSettingException {
        return read(p, key -> SettingMessages.fileSource(file, key));
    }

    /**
     * The settings {@code properties} say, where {@code source} says where each key's value came
     * from in messages (the window checks what is typed in its fields this way).
     */
    public static SeederSettings read(Properties p, Function<String, String> source) throws InvalidSettingException {
        SeederSettings d = SeederSettings.defaults();
        Values v = new Values(p, source);
        URI server = v.get("seed.server", "--server", SeedRules::server, null);
        String token = p.getProperty("seed.server-token");
        Path store = v.get("seed.store", "--store", SeedRules::store, null);
        long quota = v.get("seed.quota", "--quota", t -> SeedRules.quota(v.size(t)), d.quota());
        long uploadRate = v.get("seed.upload-rate", "--upload-rate", t -> SeedRules.uploadRate(v.size(t)), d.uploadRate());
        int slots = v.get("seed.upload-slots", "--upload-slots", t -> SeedRules.uploadSlots(v.integer(t)), d.uploadSlots());
        long scrub = v.get("seed.scrub-rate", "--scrub-rate", t -> SeedRules.scrubRate(v.size(t)), d.scrubRate());
        boolean allowPrivate = v.get("seed.allow-private-origins", "--allow-private-origins", Values::bool, false);
        List<String> demand = v.get("seed.demand-origin", "--demand-origin",
                t -> SeedRules.demandOrigins(list(t), io.swarmkeeper.origin.AddressPolicy.of(allowPrivate)), List.of());
        Duration refresh = v.get("seed.manifest-refresh", "--manifest-refresh",
                t -> SeedRules.manifestRefresh(v.duration(t)), d.manifestRefresh());
        boolean startOnLogin = v.get("desktop.start-on-login", "desktop.start-on-login", Values::bool, false);
        boolean tray = v.get("desktop.minimise-to-tray", "desktop.minimise-to-tray", Values::bool, false);
        List<Site> sites = new ArrayList<>();
        String legacy = v.get("seed.manifest", "--manifest", t -> SeedRules.manifest("--manifest", t), null);
        if (legacy != null) {
            List<OriginKey> keys = v.get("seed.trusted-key", "--trusted-key", SettingsFile::keys, List.of());
            sites.add(new Site(legacy, keys));
        }
        sites.addAll(sites(p, source));
        return new SeederSettings(server, token, store, quota, uploadRate, slots, scrub, demand, allowPrivate, refresh,
                sites, startOnLogin, tray);
    }

    /** The sites {@code seed.site.N.manifest} / {@code seed.site.N.trusted-key} of {@code p}, by N. */
    public static List<Site> sites(Properties p, Path file) throws InvalidSettingException {
        return sites(p, key -> SettingMessages.fileSource(file, key));
    }

    private static List<Site> sites(Properties p, Function<String, String> source) throws InvalidSettingException {
        Values v = new Values(p, source);
        TreeMap<Integer, String> numbers = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            Matcher m = SITE_KEY.matcher(key);
            if (m.matches()) {
                numbers.put(Integer.parseInt(m.group(1)), m.group(1));
            } else if (key.startsWith(SITE_PREFIX)) {
                throw v.refused(key, new SettingRefused(key, key + " is not a site key: expected "
                        + SITE_PREFIX + "N.manifest or " + SITE_PREFIX + "N.trusted-key"));
            }
        }
        List<Site> sites = new ArrayList<>();
        for (String n : numbers.values()) {
            String manifestKey = SITE_PREFIX + n + ".manifest";
            String keyKey = SITE_PREFIX + n + ".trusted-key";
            String manifest = v.get(manifestKey, manifestKey, t -> SeedRules.manifest(manifestKey, t), null);
            if (manifest == null) {
                throw v.refused(keyKey, new SettingRefused(keyKey, keyKey + " belongs to no site: " + manifestKey + " is missing"));
            }
            List<OriginKey> keys = v.get(keyKey, keyKey, t -> {
                List<OriginKey> parsed = new ArrayList<>();
                for (String k : list(t)) {
                    parsed.add(SeedRules.trustedKey(keyKey, k));
                }
                return parsed;
            }, List.of());
            sites.add(new Site(manifest, keys));
        }
        return sites;
    }

    private static List<OriginKey> keys(String text) {
        List<OriginKey> keys = new ArrayList<>();
        for (String k : list(text)) {
            keys.add(SeedRules.trustedKey("--trusted-key", k));
        }
        return keys;
    }

    /** A comma-separated value, as picocli splits {@code split = ","} options. */
    private static List<String> list(String text) {
        return text.isBlank() ? List.of() : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Reads values of the file, turning what the rules refuse into messages that name the file and key. */
    private static final class Values {
        private final Properties p;
        private final Function<String, String> source;

        Values(Properties p, Function<String, String> source) {
            this.p = p;
            this.source = source;
        }

        <T> T get(String key, String option, Function<String, T> read, T absent) throws InvalidSettingException {
            String text = p.getProperty(key);
            if (text == null) {
                return absent;
            }
            try {
                return read.apply(text);
            } catch (SettingRefused e) {
                throw refused(key, e);
            } catch (IllegalArgumentException e) {
                String message = SettingMessages.withSource(option, SettingMessages.invalidValue(option, e.getMessage()),
                        source.apply(key));
                throw new InvalidSettingException(key, message, e);
            }
        }

        InvalidSettingException refused(String key, SettingRefused e) {
            return new InvalidSettingException(key,
                    SettingMessages.withSource(e.option(), e.getMessage(), source.apply(key)), e);
        }

        long size(String text) {
            return ByteCount.parse(text);
        }

        Duration duration(String text) {
            return DurationText.parse(text);
        }

        /** An int, refused in picocli's words. */
        int integer(String text) {
            try {
                return Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not an int");
            }
        }

        /** A boolean, refused in picocli's words. */
        static boolean bool(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (!t.equals("true") && !t.equals("false")) {
                throw new IllegalArgumentException("'" + text + "' is not a boolean");
            }
            return t.equals("true");
        }
    }

    /** The keys and values {@code settings} is written as, in the order they are added to a file that lacks them. */
    public static Map<String, String> entries(SeederSettings s) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("seed.server", s.server() == null ? null : s.server().toString());
        e.put("seed.server-token", s.serverToken());
        e.put("seed.store", s.store() == null ? null : s.store().toString());
        e.put("seed.quota", ByteCount.format(s.quota()));
        e.put("seed.upload-rate", ByteCount.format(s.uploadRate()));
        e.put("seed.upload-slots", String.valueOf(s.uploadSlots()));
        e.put("seed.scrub-rate", ByteCount.format(s.scrubRate()));
        e.put("seed.demand-origin", s.demandOrigins().isEmpty() ? null : String.join(",", s.demandOrigins()));
        e.put("seed.allow-private-origins", String.valueOf(s.allowPrivateOrigins()));
        e.put("seed.manifest-refresh", DurationText.format(s.manifestRefresh()));
        e.put("seed.manifest", null); // an older file's one manifest is written as the first site
        int n = 1;
        for (Site site : s.sites()) {
            e.put(SITE_PREFIX + n + ".manifest", site.manifest());
            e.put(SITE_PREFIX + n + ".trusted-key", site.trustedKeys().isEmpty() ? null
                    : String.join(",", site.trustedKeys().stream().map(OriginKey::text).toList()));
            n++;
        }
        e.put("desktop.start-on-login", String.valueOf(s.startOnLogin()));
        e.put("desktop.minimise-to-tray", String.valueOf(s.minimiseToTray()));
        return e;
    }

    /**
     * Writes {@code settings}: each managed key's line is replaced where it stands (or dropped when
     * the value is unset), missing ones are added at the end, all other lines are kept. Atomic.
     */
    public void save(SeederSettings settings) throws IOException {
        String old = Files.isRegularFile(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
        String text = rewrite(old, entries(settings));
        OwnerOnlyFile.write(path, text);
    }

    /** {@code old} with the managed keys set to {@code values} (null: removed); other lines kept. */
    static String rewrite(String old, Map<String, String> values) throws IOException {
        StringBuilder out = new StringBuilder();
        Set<String> written = new HashSet<>();
        List<String> lines = old.isEmpty() ? List.of() : Arrays.asList(old.split("\r?\n", -1));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines = lines.subList(0, lines.size() - 1);
        }
        for (int i = 0; i < lines.size(); i++) {
            StringBuilder logical = new StringBuilder(lines.get(i));
            int first = i;
            while (continues(lines.get(i)) && i + 1 < lines.size()) {
                i++;
                logical.append('\n').append(lines.get(i));
            }
            String key = keyOf(logical.toString());
            boolean managed = key != null && (MANAGED.contains(key) || SITE_KEY.matcher(key).matches());
            if (!managed) {
                for (int j = first; j <= i; j++) {
                    out.append(lines.get(j)).append('\n');
                }
                continue;
            }
            String value = values.get(key);
            if (value != null && written.add(key)) {
                out.append(line(key, value));
            }
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() != null && !written.contains(e.getKey())) {
                out.append(line(e.getKey(), e.getValue()));
            }
        }
        return out.toString();
    }

    /** A line ends in an odd number of backslashes: the next one continues it. */
    private static boolean continues(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    /** The key of a logical line, as {@link Properties} reads it; null for blank lines and comments. */
    private static String keyOf(String logical) throws IOException {
        String stripped = logical.stripLeading();
        if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith("!")) {
            return null;
        }
        Properties one = new Properties();
        one.load(new StringReader(logical));
        return one.stringPropertyNames().stream().findFirst().orElse(null);
    }

    private static String line(String key, String value) {
        StringBuilder b = new StringBuilder(key).append('=');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\f' -> b.append("\\f");
                case ' ' -> b.append(i == 0 ? "\\ " : " ");
                default -> b.append(c);
            }
        }
        return b.append('\n').toString();
    }
}
