package io.swarmkeeper.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** Builds the server's TLS context from a PKCS#12 keystore, or from PEM certificate and key files. */
final class TlsContexts {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private TlsContexts() {}

    static SSLContext load(ServerConfig.Tls tls) throws IOException, GeneralSecurityException {
        KeyStore keys;
        char[] password;
        if (tls.keystore() != null) {
            password = tls.keystorePassword() == null ? new char[0] : tls.keystorePassword().toCharArray();
            keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(tls.keystore())) {
                keys.load(in, password);
            } catch (IOException e) {
                throw new IOException("cannot read keystore " + tls.keystore() + ": " + e.getMessage(), e);
            }
        } else {
            password = new char[0];
            keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            Certificate[] chain = readCertificates(tls.certificatePem());
            keys.setKeyEntry("server", readPrivateKey(tls.privateKeyPem()), password, chain);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    static Certificate[] readCertificates(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            throw new IOException("no certificate in " + pem);
        }
        return certificates.toArray(new Certificate[0]);
    }

    /** Reads a PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY") key. */
    static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(text);
        if (!m.find()) {
            throw new IOException("no unencrypted private key in " + pem
                    + " (expected -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        byte[] pkcs8 = switch (m.group(1)) {
            case "RSA PRIVATE KEY" -> new PrivateKeyInfo(
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(der)).getEncoded();
            case "EC PRIVATE KEY" -> {
                ECPrivateKey ec = ECPrivateKey.getInstance(der);
                ASN1Encodable curve = ec.getParametersObject();
                if (curve == null) {
                    throw new IOException("EC key in " + pem + " names no curve");
                }
                yield new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), ec).getEncoded();
            }
            default -> der;
        };
        String algorithm = PrivateKeyInfo.getInstance(pkcs8).getPrivateKeyAlgorithm().getAlgorithm()
                .equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : "RSA";
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the private key in " + pem + ": " + e.getMessage(), e);
        }
    }

}
