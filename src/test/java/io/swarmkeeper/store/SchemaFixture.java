package io.swarmkeeper.store;

import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.content.ResourceId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stores kept as fixtures under {@code src/test/resources/stores/schema-N/}: what each holds,
 * so that a migration test can check every record came through. A fixture is made once, by the
 * code of its schema version (its README names the commit), with {@link #main}; it is never
 * remade by later code, which would write the later schema.
 */
final class SchemaFixture {
    private SchemaFixture() {}

    /** One resource of a fixture and what its record says. */
    record Entry(ResourceId id, byte[] body, String mediaType, String origin, boolean pinned, int reads) {}

    /** The resources of every fixture: three kinds of ids, a pin, use counts, an unknown origin. */
    static List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        byte[] a = body("kitchen", 7_000);
        entries.add(new Entry(ResourceId.of(a), a, "image/jpeg", "https://example.com/listing/kitchen.jpg", true, 3));
        byte[] b = body("floor plan", 15_000);
        entries.add(new Entry(ResourceId.of(HashAlgorithm.SHA384, b), b, "image/png",
                "https://example.com/listing/floor-plan.png", false, 1));
        byte[] c = body("tour", 20_000);
        entries.add(new Entry(ResourceId.of(HashAlgorithm.MERKLE_SHA256, c), c, "video/mp4", null, false, 0));
        return entries;
    }

    /** Deterministic bytes, so the fixture's ids are known without reading it. */
    static byte[] body(String seed, int size) {
        byte[] bytes = new byte[size];
        java.util.Random random = new java.util.Random(seed.hashCode());
        random.nextBytes(bytes);
        byte[] label = seed.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, bytes, 0, label.length);
        return bytes;
    }

    /** Writes a fixture store into {@code args[0]} (an empty directory) with the code on the class path. */
    public static void main(String[] args) throws IOException {
        try (ContentStore store = ContentStore.open(Path.of(args[0]))) {
            for (Entry e : entries()) {
                store.put(e.id(), new ByteArrayInputStream(e.body()), e.mediaType(), e.origin());
                if (e.pinned()) {
                    store.pin(e.id(), true);
                }
                for (int i = 0; i < e.reads(); i++) {
                    store.readAll(e.id()).orElseThrow();
                }
            }
        }
    }
}
