package io.swarmkeeper.store;

import io.swarmkeeper.content.ResourceId;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * A child process for the crash test: stores random resources as fast as it can, printing each
 * id once its put returned, until it is killed.
 */
public final class StoreWriter {
    public static void main(String[] args) throws Exception {
        Random random = new Random(Long.parseLong(args[1]));
        ContentStore store = ContentStore.open(Path.of(args[0]), Long.parseLong(args[2]));
        for (long i = 0; ; i++) {
            byte[] body = new byte[1 + random.nextInt(300_000)];
            random.nextBytes(body);
            ResourceId id = ResourceId.of(body);
            store.put(id, new ByteArrayInputStream(body), "application/octet-stream", "http://origin/" + i);
            if (i % 5 == 0) {
                store.pin(id, true);
            }
            System.out.println(id.text());
            System.out.flush();
        }
    }
}
