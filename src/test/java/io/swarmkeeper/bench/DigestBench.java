package io.swarmkeeper.bench;

import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA224Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Digest speed over 1 MiB buffers, JDK {@link MessageDigest} against Bouncy Castle's lightweight
 * digests, for every hash a resource id can name. Compare with
 * {@code openssl speed -bytes 1048576 -evp sha224} on the same machine.
 *
 * <pre>.ci/bench DigestBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DigestBench {
    @Param({"SHA-224", "SHA-256", "SHA-384", "SHA-512"})
    String algorithm;

    private final byte[] buffer = new byte[1 << 20];
    private MessageDigest jdk;
    private Digest bc;
    private byte[] bcOut;

    @Setup
    public void setUp() throws Exception {
        new Random(1).nextBytes(buffer);
        jdk = MessageDigest.getInstance(algorithm);
        bc = switch (algorithm) {
            case "SHA-224" -> new SHA224Digest();
            case "SHA-256" -> new SHA256Digest();
            case "SHA-384" -> new SHA384Digest();
            default -> new SHA512Digest();
        };
        bcOut = new byte[bc.getDigestSize()];
    }

    /** One 1 MiB digest per operation: ops/s is MiB/s. */
    @Benchmark
    public byte[] jdk() {
        return jdk.digest(buffer);
    }

    @Benchmark
    public byte[] bouncyCastle() {
        bc.update(buffer, 0, buffer.length);
        bc.doFinal(bcOut, 0);
        return bcOut;
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(DigestBench.class.getSimpleName()).build()).run();
    }
}
