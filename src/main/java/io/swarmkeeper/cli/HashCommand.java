package io.swarmkeeper.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmkeeper.content.ContentHash;
import io.swarmkeeper.content.HashAlgorithm;
import io.swarmkeeper.manifest.FolderManifest;
import io.swarmkeeper.protocol.MessageCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "hash", mixinStandardHelpOptions = true,
        description = {"Prints the resource id of each file, one JSON object per line:",
                "{\"file\":…,\"size\":…,\"id\":\"<resource id>\"} (and \"sha224\":\"<56 hex>\" for SHA-224).",
                "With --manifest, writes the manifest of a whole folder instead (see --manifest).",
                "Files that cannot be read are reported on stderr; the exit code is then 1."})
final class HashCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to hash; with --manifest, one folder.")
    List<Path> files;

    @Option(names = "--algorithm", defaultValue = "sha224", paramLabel = "NAME",
            description = "sha224 (56 hex characters, the default), sha256, sha384, sha512 (Subresource Integrity form, sha256-<base64>), or mt256 (root of a SHA-256 Merkle tree over 16 KiB blocks, mt256-<hex>).")
    String algorithm;

    @Option(names = "--manifest", description = {
            "Write the manifest of the folder FILE: {\"version\":1,\"base_url\":…,\"algorithm\":…,\"resources\":[",
            "{\"path\":…,\"url\":…,\"hash\":…,\"size\":…,\"media_type\":…}]}, files sorted by path, hidden files",
            "and symbolic links left out. Needs --base-url."})
    boolean manifest;

    @Option(names = "--base-url", paramLabel = "URL", description = "With --manifest: the URL the folder is served at.")
    URI baseUrl;

    @Option(names = "--out", paramLabel = "FILE", description = "With --manifest: write it to FILE instead of standard output.")
    Path out;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        HashAlgorithm hash = parseAlgorithm();
        if (manifest) {
            return writeManifest(hash);
        }
        if (baseUrl != null || out != null) {
            throw new ParameterException(spec.commandLine(), "--base-url and --out go with --manifest");
        }
        StdOut.claim();
        int failures = 0;
        for (Path file : files) {
            try {
                ContentHash result = hash(file, hash);
                ObjectNode line = MessageCodec.mapper().createObjectNode();
                line.put("file", file.toString());
                line.put("size", result.size());
                line.put("id", result.id().text());
                if (hash == HashAlgorithm.SHA224) {
                    line.put("sha224", result.id().text());
                }
                spec.commandLine().getOut().println(line);
            } catch (IOException e) {
                failures++;
                spec.commandLine().getErr().println("swarmkeeper hash: " + file + ": " + describe(e));
            }
        }
        spec.commandLine().getOut().flush();
        return failures == 0 ? 0 : 1;
    }

    private HashAlgorithm parseAlgorithm() {
        for (HashAlgorithm a : HashAlgorithm.values()) {
            if (a.label().equals(algorithm.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new ParameterException(spec.commandLine(), "--algorithm: expected sha224, sha256, sha384, sha512 or mt256, got " + algorithm);
    }

    private int writeManifest(HashAlgorithm hash) throws IOException {
        if (files.size() != 1) {
            throw new ParameterException(spec.commandLine(), "--manifest takes one folder, got " + files.size() + " arguments");
        }
        if (baseUrl == null) {
            throw new ParameterException(spec.commandLine(), "--manifest needs --base-url URL, where the folder is served");
        }
        String json = FolderManifest.build(files.get(0), baseUrl, hash, out);
        if (out != null) {
            // Beside the target so the final step is an atomic rename; readable by the web server like any published file.
            Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName(), ".part");
            try {
                Files.writeString(tmp, json);
                try {
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the directory's rules apply
                }
                Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } else {
            StdOut.claim();
            spec.commandLine().getOut().print(json);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private static ContentHash hash(Path file, HashAlgorithm algorithm) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory (use --manifest --base-url URL for a folder)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return ContentHash.of(algorithm, in);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }
}
