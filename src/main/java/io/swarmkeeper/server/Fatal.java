package io.swarmkeeper.server;

/**
 * Errors after which the process must end rather than limp on. A server that ran out of heap may
 * have lost any thread or half-updated any structure; it can no longer be trusted to accept or to
 * relay, so it exits and leaves the restart to its supervisor (systemd, a container runtime).
 * The launchers also pass {@code -XX:+ExitOnOutOfMemoryError}; this covers a plain {@code java -jar}.
 */
public final class Fatal {
    /** The exit status of a process ended by {@link #haltIfFatal}. */
    public static final int EXIT_STATUS = 70;

    private static final byte[] OUT_OF_MEMORY_LINE =
            "swarmkeeper: fatal java.lang.OutOfMemoryError; exiting so that a supervisor can restart the process\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final java.io.FileOutputStream STDERR = new java.io.FileOutputStream(java.io.FileDescriptor.err);

    private Fatal() {}

    /**
     * True for errors the process cannot recover from: running out of memory (heap, metaspace,
     * direct buffers, threads). Not every {@link VirtualMachineError}: the JDK throws
     * InternalError for failures as ordinary as a directory that cannot be opened.
     */
    static boolean isFatal(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /** Ends the process at once if {@code t} (or its cause) is fatal; otherwise returns. */
    public static void haltIfFatal(Throwable t) {
        if (!isFatal(t)) {
            return;
        }
        try {
            // No logging framework, no string built here: the heap may have no room for either
            // (seen in CI: a message built with + threw again and the process ended silently).
            // The bytes and the stream were made when this class was loaded.
            STDERR.write(OUT_OF_MEMORY_LINE);
            STDERR.flush();
            System.err.println("swarmkeeper: fatal " + t); // the detail, when there is room for it
            System.err.flush();
        } catch (Throwable again) {
            // nothing more can be said
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /**
     * Wraps a periodic task: a fatal error in it ends the process instead of vanishing into an
     * executor, and any other failure is logged and the task runs again next time (an executor
     * would cancel it for good).
     */
    static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                haltIfFatal(t);
                org.slf4j.LoggerFactory.getLogger(Fatal.class).warn("{} failed: {}", what, t.toString(), t);
            }
        };
    }

    /**
     * Makes every thread's uncaught fatal error end the process, keeping whatever default handler
     * was there for the rest.
     */
    public static void installDefaultHandler() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        if (previous instanceof FatalHandler) {
            return;
        }
        Thread.setDefaultUncaughtExceptionHandler(new FatalHandler(previous));
    }

    private record FatalHandler(Thread.UncaughtExceptionHandler previous) implements Thread.UncaughtExceptionHandler {
        @Override
        public void uncaughtException(Thread thread, Throwable error) {
            haltIfFatal(error);
            if (previous != null) {
                previous.uncaughtException(thread, error);
            } else {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                error.printStackTrace();
            }
        }
    }
}
