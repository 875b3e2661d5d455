package io.swarmkeeper.cli;

import io.swarmkeeper.manifest.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Makes an Ed25519 key pair for signing manifests: NAME.key (private, keep it on the",
                "website's side, readable by its owner only) and NAME.pub (the public key, ed25519:<base64>,",
                "to configure on seeders as --trusted-key). Prints the public key. Never overwrites a file."})
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "NAME", description = "Writes NAME.key and NAME.pub.")
    Path out;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path key = Path.of(out + ".key");
        Path pub = Path.of(out + ".pub");
        for (Path p : new Path[] {key, pub}) {
            if (Files.exists(p)) {
                throw new ParameterException(spec.commandLine(), p + " already exists; not overwriting a key");
            }
        }
        SigningKey signing = SigningKey.generate();
        signing.write(key);
        Files.writeString(pub, signing.publicKey().text() + "\n", java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE);
        StdOut.claim();
        spec.commandLine().getOut().println(signing.publicKey().text());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
