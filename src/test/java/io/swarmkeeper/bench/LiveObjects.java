package io.swarmkeeper.bench;

import java.util.HashMap;
import java.util.Map;

/** Live objects of a JVM after a full GC, from {@code jcmd PID GC.class_histogram}: the benchmarks' one reader of it. */
final class LiveObjects {
    private LiveObjects() {}

    /** Class name → {instances, bytes}; the "Total" line under that key. */
    static Map<String, long[]> histogram(long pid) throws Exception {
        Process jcmd = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor();
        Map<String, long[]> classes = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 4 && parts[0].endsWith(":")) {
                classes.put(parts[3], new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
            } else if (parts.length >= 3 && parts[0].equals("Total")) {
                classes.put("Total", new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
            }
        }
        return classes;
    }

    /** Live instances of one class in this JVM. */
    static long instances(String className) throws Exception {
        return histogram(ProcessHandle.current().pid()).getOrDefault(className, new long[2])[0];
    }
}
