package io.swarmkeeper.demo;

import io.swarmkeeper.content.PieceTree;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.transfer.ContentSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * A dishonest peer's source, for the demo swarm and the tests: serves what the store holds with
 * one byte in every 64 KiB flipped, so every range it sends is wrong, while its piece trees are
 * the true ones (a careful liar: only its bytes give it away).
 */
public final class LyingSource implements ContentSource {
    private static final long PERIOD = 64 * 1024;
    private final ContentSource honest;

    public LyingSource(ContentSource honest) {
        this.honest = honest;
    }

    @Override
    public Optional<PieceTree> pieceTree(ResourceId id) throws IOException {
        return honest.pieceTree(id);
    }

    @Override
    public Optional<Content> open(ResourceId id) throws IOException {
        Optional<Content> opened = honest.open(id);
        if (opened.isEmpty()) {
            return opened;
        }
        Content real = opened.get();
        return Optional.of(new Content() {
            @Override
            public long size() {
                return real.size();
            }

            @Override
            public InputStream stream() throws IOException {
                return new FilterInputStream(real.stream()) {
                    private long position;

                    @Override
                    public int read() throws IOException {
                        int b = super.read();
                        if (b >= 0 && position++ % PERIOD == 777) {
                            b ^= 0x20;
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = super.read(buf, off, len);
                        for (int i = 0; i < n; i++) {
                            if ((position + i) % PERIOD == 777) {
                                buf[off + i] ^= 0x20;
                            }
                        }
                        position += Math.max(n, 0);
                        return n;
                    }

                    @Override
                    public long skip(long n) throws IOException {
                        long skipped = super.skip(n);
                        position += skipped;
                        return skipped;
                    }
                };
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        });
    }
}
