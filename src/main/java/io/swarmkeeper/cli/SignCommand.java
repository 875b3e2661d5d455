package io.swarmkeeper.cli;

import io.swarmkeeper.manifest.Manifest;
import io.swarmkeeper.manifest.ManifestSignature;
import io.swarmkeeper.manifest.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Signs a manifest with a key from `swarmkeeper keygen`, writing MANIFEST.sig beside it:",
                "{\"algorithm\":\"ed25519\",\"key\":\"ed25519:…\",\"signature\":\"<base64>\"}. Publish both; seeders",
                "configured with the public key (--trusted-key) then accept the manifest only if it is unchanged.",
                "The manifest is checked first: an invalid one is not signed."})
final class SignCommand implements Callable<Integer> {
    @Option(names = "--key", required = true, paramLabel = "FILE", description = "The private key (NAME.key).")
    Path key;

    @Parameters(paramLabel = "MANIFEST", description = "The manifest file to sign.")
    Path manifest;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SigningKey signing = SigningKey.read(key);
        byte[] bytes = Files.readAllBytes(manifest);
        Manifest parsed = Manifest.parse(new String(bytes, StandardCharsets.UTF_8), manifest.toString());
        Path sig = Path.of(manifest + ".sig");
        Files.writeString(sig, ManifestSignature.sign(bytes, signing).toJson());
        StdOut.claim();
        spec.commandLine().getOut().println("signed " + manifest + " (" + parsed.resources().size() + " resources) with "
                + signing.publicKey().text() + " -> " + sig);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
