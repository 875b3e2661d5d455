package io.swarmkeeper.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * An origin's private Ed25519 key, kept by the website owner to sign manifests. Its file holds
 * one line, {@code swarmkeeper-ed25519-private-key <base64 of the 32-byte seed>}, readable by its
 * owner only.
 */
public final class SigningKey {
    private static final String HEADER = "swarmkeeper-ed25519-private-key ";

    private final Ed25519PrivateKeyParameters key;

    private SigningKey(Ed25519PrivateKeyParameters key) {
        this.key = key;
    }

    public static SigningKey generate() {
        return new SigningKey(new Ed25519PrivateKeyParameters(new SecureRandom()));
    }

    public OriginKey publicKey() {
        return new OriginKey(key.generatePublicKey().getEncoded());
    }

    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** Writes the key to a new file (never over an existing one), readable by its owner only where the file system allows. */
    public void write(Path file) throws IOException {
        byte[] line = (HEADER + Base64.getEncoder().encodeToString(key.getEncoded()) + "\n").getBytes(StandardCharsets.US_ASCII);
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        SeekableByteChannel out;
        try {
            out = Files.newByteChannel(file, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the directory's own access rules apply.
            out = Files.newByteChannel(file, options);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString(), null, "will not overwrite a key");
        }
        try (SeekableByteChannel channel = out) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    public static SigningKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!text.startsWith(HEADER)) {
            throw new IOException(file + " is not a Swarmkeeper signing key (made by `swarmkeeper keygen`)");
        }
        byte[] seed;
        try {
            seed = Base64.getDecoder().decode(text.substring(HEADER.length()).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the key is not valid base64", e);
        }
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IOException(file + ": an Ed25519 private key is 32 bytes, this one is " + seed.length);
        }
        return new SigningKey(new Ed25519PrivateKeyParameters(seed, 0));
    }
}
