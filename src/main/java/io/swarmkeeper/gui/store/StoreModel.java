package io.swarmkeeper.gui.store;

import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.gui.Formats;
import io.swarmkeeper.store.ContentStore;
import io.swarmkeeper.store.StoredResource;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the Store view shows and does, without JavaFX: the resources the store holds (size,
 * media type, the site that lists them, hits, bytes served, last access, pinned), its quota and
 * use, and pin, unpin and remove. The site is the manifest that lists the resource now (from the
 * running seeder); for what no site lists (withdrawn, taken on demand, or no seeder runs) it is
 * the host the bytes first came from, as the store recorded it. Reads H2: call it off the FX thread.
 */
public final class StoreModel {
    /** One line of the table, as shown; {@code id} is the resource's full id, for the actions. */
    public record Row(String id, String shortId, String size, String mediaType, String site, long hits, String served,
                      String lastAccess, boolean pinned) {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final ContentStore store;
    private final Supplier<Map<ResourceId, String>> sites;
    private final ZoneId zone;

    /** {@code sites}: which site lists each resource ({@code Seeder::siteOfEachResource}; none while no seeder runs). */
    public StoreModel(ContentStore store, Supplier<Map<ResourceId, String>> sites, ZoneId zone) {
        this.store = store;
        this.sites = sites;
        this.zone = zone;
    }

    public StoreModel(ContentStore store, Supplier<Map<ResourceId, String>> sites) {
        this(store, sites, ZoneId.systemDefault());
    }

    /** The resources, most recently used first. */
    public List<Row> rows() throws IOException {
        Map<ResourceId, String> listing = sites.get();
        return store.list().stream().sorted(Comparator.comparing(StoredResource::lastAccess).reversed())
                .map(r -> row(r, listing.get(r.id()))).toList();
    }

    private Row row(StoredResource r, String site) {
        return new Row(r.id().text(), r.id().shortForm(), Formats.bytes(r.size()),
                r.mediaType() == null ? "" : r.mediaType(), site != null ? site : originHost(r.origin()), r.hits(),
                Formats.bytes(r.bytesServed()), time(r.lastAccess()), r.pinned());
    }

    /** The origin's host, or "unknown" when the store does not know where the bytes came from. */
    static String originHost(String origin) {
        if (origin == null) {
            return "unknown";
        }
        try {
            String host = URI.create(origin).getHost();
            return host == null ? origin : host;
        } catch (IllegalArgumentException e) {
            return origin;
        }
    }

    private String time(Instant at) {
        return at == null ? "" : at.atZone(zone).format(TIME);
    }

    /** "1.2 GB of 10.0 GB quota, 42 resources, 3 pinned", or "… no quota" when there is none. */
    public String usage() throws IOException {
        List<StoredResource> all = store.list();
        long pinned = all.stream().filter(StoredResource::pinned).count();
        String quota = store.quota() == 0 ? " (no quota)" : " of " + Formats.bytes(store.quota()) + " quota";
        return Formats.bytes(store.usedBytes()) + quota + ", " + all.size() + (all.size() == 1 ? " resource, " : " resources, ")
                + pinned + " pinned";
    }

    /** Pins (never evicted) or unpins the resource; false when the store no longer has it. */
    public boolean pin(String id, boolean pinned) throws IOException {
        return store.pin(ResourceId.parse(id), pinned);
    }

    /** Removes the resource from the store (the seeder stops announcing it); false when it was gone already. */
    public boolean remove(String id) throws IOException {
        return store.remove(ResourceId.parse(id));
    }
}
