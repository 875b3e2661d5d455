package io.swarmkeeper.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser client's own unit tests ({@code node --test} in assets/client/test/unit: the
 * transfer codec and signaling messages against the golden files, Merkle vectors, SHA-224 and SRI
 * checks, the PouchDB cache, back-off, pacing, holder and requester), run by the project's test
 * command. Fails on a non-zero exit, with node's report.
 */
@Timeout(120)
class ClientUnitTest {
    @Test
    void theClientsUnitTestsPass() throws IOException, InterruptedException {
        NodeProcess.requireInstalled();
        Process node = new ProcessBuilder("node", "--test", "--test-reporter=tap", "test/unit/")
                .directory(NodeProcess.CLIENT.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] output = node.getInputStream().readAllBytes();
        assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node --test did not end");
        String report = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, node.exitValue(), "node --test test/unit/ failed:\n" + report);
        assertTrue(report.lines().anyMatch(l -> l.matches("# pass [1-9][0-9]*")), "node ran no test:\n" + report);
        assertTrue(report.lines().anyMatch(l -> l.equals("# fail 0")), report);
    }
}
