package io.swarmkeeper.transfer;

import java.io.IOException;

/** Where the bytes of one requested range go, in order, as they arrive. Called on the link's thread. */
public interface RangeSink {
    /** The holder's answer: the resource is {@code totalSize} bytes. Throw to refuse it (too large, disagrees). */
    void size(long totalSize) throws IOException;

    /**
     * {@code length} bytes of {@code data} from {@code from}, at {@code offset} of the resource;
     * offsets arrive contiguous and within the range asked for. The array belongs to the received
     * message: keep a copy of what must outlive the call.
     */
    void write(long offset, byte[] data, int from, int length) throws IOException;

    /** Piece hashes with their proof (Merkle-root ids only); a sink that expects none refuses them. */
    default void hashes(TransferMessage.Hashes hashes) throws IOException {
        throw new TransferProtocolException("piece hashes for a resource that is not named by a Merkle root");
    }
}
