package io.swarmkeeper.store;

import java.nio.file.Path;

/** A child process for tests: opens a store, says so, and keeps it open until its stdin closes. */
public final class StoreHolder {
    public static void main(String[] args) throws Exception {
        try (ContentStore store = ContentStore.open(Path.of(args[0]))) {
            System.out.println("open " + store.directory());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to let go
            }
        }
    }
}
