package io.swarmkeeper.geo;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places peers: city databases and ASN databases together, IPv4 and IPv6 (each kind may be one
 * file or several, e.g. DB-IP's separate IPv4 and IPv6 files). {@link #watch} reads the files
 * again when they are replaced on disk (they are updated monthly): the new set is loaded and
 * checked beside the old one, which goes on answering, and swapped in at once; a set that fails
 * to load is logged and the old one kept. Lookups never throw.
 */
public final class Geolocator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Geolocator.class);
    /** A browser's point keeps the IP's city name within this distance of it, the country within {@link #COUNTRY_KM}. */
    static final double CITY_KM = 50;
    static final double COUNTRY_KM = 500;

    private final List<Path> cityFiles;
    private final List<Path> asnFiles;
    private volatile Datasets data;
    private final AtomicInteger reloads = new AtomicInteger();
    private ScheduledExecutorService watcher;
    /** What the files looked like at the last poll, to load only once a change has settled. */
    private List<Stamp> lastSeen;

    private record Datasets(List<CityDatabase> cities, List<AsnDatabase> asns, List<Stamp> stamps) {}

    /** What tells a file replaced: its size, modification time and identity (inode). */
    private record Stamp(long size, long modified, Object key) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
            } catch (IOException e) {
                return new Stamp(-1, -1, null);
            }
        }
    }

    private Geolocator(List<Path> cityFiles, List<Path> asnFiles, Datasets data) {
        this.cityFiles = cityFiles;
        this.asnFiles = asnFiles;
        this.data = data;
        this.lastSeen = data.stamps();
    }

    /**
     * Opens the files and checks each: the first that is missing, truncated or of another
     * format fails the whole with a {@link GeoDataException} naming it. {@code asnFiles} may be
     * empty (no same-network preference then); {@code cityFiles} may not.
     */
    public static Geolocator open(List<Path> cityFiles, List<Path> asnFiles) throws GeoDataException {
        if (cityFiles.isEmpty()) {
            throw new IllegalArgumentException("at least one city database is needed");
        }
        return new Geolocator(List.copyOf(cityFiles), List.copyOf(asnFiles), load(cityFiles, asnFiles));
    }

    private static Datasets load(List<Path> cityFiles, List<Path> asnFiles) throws GeoDataException {
        List<Stamp> stamps = new ArrayList<>();
        cityFiles.forEach(f -> stamps.add(Stamp.of(f)));
        asnFiles.forEach(f -> stamps.add(Stamp.of(f)));
        List<CityDatabase> cities = new ArrayList<>();
        List<AsnDatabase> asns = new ArrayList<>();
        for (Path f : cityFiles) {
            cities.add(CityDatabase.open(f));
        }
        for (Path f : asnFiles) {
            asns.add(AsnDatabase.open(f));
        }
        return new Datasets(List.copyOf(cities), List.copyOf(asns), stamps);
    }

    /** The place of an address, from the databases alone: {@link PeerPlace#UNKNOWN} for one that is not public. */
    public PeerPlace locate(InetAddress address) {
        if (address == null || !PublicAddress.isPublic(address)) {
            return PeerPlace.UNKNOWN;
        }
        Datasets d = data;
        City city = null;
        for (CityDatabase db : d.cities()) {
            city = db.lookup(address);
            if (city != null) {
                break;
            }
        }
        Asn asn = null;
        for (AsnDatabase db : d.asns()) {
            asn = db.lookup(address);
            if (asn != null) {
                break;
            }
        }
        if (city == null) {
            return asn == null ? PeerPlace.UNKNOWN : new PeerPlace(null, null, null, asn, false);
        }
        return new PeerPlace(city.point(), PeerPlace.cityName(city.name()), city.country(), asn, false);
    }

    /**
     * The place of an address whose browser reported {@code browserPoint} (already coarsened, or
     * null): the browser's point wins over the address's; the address's city name is kept only
     * when its point is within {@value #CITY_KM} km of the browser's, its country within
     * {@value #COUNTRY_KM} km, so that names never contradict the point.
     */
    public PeerPlace locate(InetAddress address, GeoPoint browserPoint) {
        PeerPlace byAddress = locate(address);
        if (browserPoint == null) {
            return byAddress;
        }
        double km = byAddress.point() == null ? Double.POSITIVE_INFINITY : byAddress.point().distanceKm(browserPoint);
        return new PeerPlace(browserPoint, km <= CITY_KM ? byAddress.city() : null,
                km <= COUNTRY_KM ? byAddress.country() : null, byAddress.asn(), true);
    }

    /** Polls the files every {@code interval} and reloads them once a change has settled (see class). */
    public synchronized Geolocator watch(Duration interval) {
        if (watcher == null) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "geo-reload");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, interval.toMillis());
            watcher.scheduleWithFixedDelay(() -> {
                try {
                    reloadIfChanged();
                } catch (RuntimeException e) {
                    log.warn("checking the geolocation files failed", e);
                }
            }, ms, ms, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Loads the files again if they changed since they were loaded and look the same as at the
     * previous call (so a file still being written is not read half-done). True when a new set
     * was swapped in.
     */
    public synchronized boolean reloadIfChanged() {
        List<Stamp> now = new ArrayList<>();
        cityFiles.forEach(f -> now.add(Stamp.of(f)));
        asnFiles.forEach(f -> now.add(Stamp.of(f)));
        boolean settled = now.equals(lastSeen);
        lastSeen = now;
        if (now.equals(data.stamps()) || !settled) {
            return false;
        }
        try {
            data = load(cityFiles, asnFiles);
            reloads.incrementAndGet();
            log.info("geolocation files reloaded: {}", describe());
            return true;
        } catch (GeoDataException e) {
            log.warn("geolocation files changed but cannot be used, keeping the ones loaded before: {}", e.getMessage());
            // Remember this state as loaded-and-refused, so it is not read again until it changes.
            data = new Datasets(data.cities(), data.asns(), now);
            return false;
        }
    }

    /** How many times the files were reloaded. */
    public int reloads() {
        return reloads.get();
    }

    /** The files in use, for the start-up line and logs. */
    public String describe() {
        Datasets d = data;
        StringBuilder s = new StringBuilder();
        for (CityDatabase c : d.cities()) {
            s.append(s.length() == 0 ? "" : ", ").append("city ").append(c.file().getFileName())
                    .append(" (IPv").append(c.ipVersion()).append(", built ").append(c.built().toString(), 0, 10).append(')');
        }
        for (AsnDatabase a : d.asns()) {
            s.append(", ASN ").append(a.file().getFileName()).append(" (").append(a.size()).append(" networks)");
        }
        return s.toString();
    }

    public boolean hasAsn() {
        return !asnFiles.isEmpty();
    }

    /** The attribution the databases' licence (CC BY 4.0) asks for wherever their results are shown. */
    public static final String ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0";

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }
}
