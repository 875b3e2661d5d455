package io.swarmkeeper.transfer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The binary transfer protocol spoken on a data channel (documented in {@code docs/protocol.md}).
 * Every message starts with a one-byte type and a four-byte request id chosen by the requester;
 * integers are big-endian.
 */
public sealed interface TransferMessage {
    /** Largest payload of one {@link Chunk}. */
    int MAX_CHUNK_BYTES = 64 * 1024;
    /** Largest message of any kind, far below libwebrtc's 262,144-byte limit. */
    int MAX_MESSAGE_BYTES = MAX_CHUNK_BYTES + 64;
    /** Length value meaning "to the end of the resource". */
    long TO_END = -1;

    byte REQUEST = 0x01;
    byte RESPONSE = 0x02;
    byte CHUNK = 0x03;
    byte END = 0x04;
    byte NOT_FOUND = 0x05;
    byte ERROR = 0x06;
    byte CANCEL = 0x07;
    byte HASHES = 0x08;
    /** Most piece hashes (or proof hashes) in one {@link Hashes} message. */
    int MAX_HASHES = 255;

    int requestId();

    /** Requester → holder: send me {@code length} bytes of {@code resource} from {@code offset}. */
    record Request(int requestId, String resource, long offset, long length) implements TransferMessage {}

    /** Holder → requester: the resource is {@code totalSize} bytes; {@code length} bytes from {@code offset} follow. */
    record Response(int requestId, long totalSize, long offset, long length) implements TransferMessage {}

    /**
     * Holder → requester: bytes at {@code offset} of the resource, {@code length} bytes of
     * {@code array} from {@code from}. A decoded chunk points into the received message rather
     * than copying its payload out.
     */
    record Chunk(int requestId, long offset, byte[] array, int from, int length) implements TransferMessage {
        public Chunk {
            java.util.Objects.checkFromIndexSize(from, length, array.length);
        }

        public Chunk(int requestId, long offset, byte[] data) {
            this(requestId, offset, data, 0, data.length);
        }

        /** The payload as an array of its own length (a copy when the chunk is a slice). */
        public byte[] data() {
            return from == 0 && length == array.length ? array : java.util.Arrays.copyOfRange(array, from, from + length);
        }
    }

    /** Holder → requester: every byte announced by the response was sent. */
    record End(int requestId) implements TransferMessage {}

    /** Holder → requester: I do not hold this resource. */
    record NotFound(int requestId) implements TransferMessage {}

    /** Either way: the request failed; {@code code} is one of {@link TransferError}. */
    record Error(int requestId, int code, String message) implements TransferMessage {}

    /** Requester → holder: stop sending this request. */
    record Cancel(int requestId) implements TransferMessage {}

    /**
     * Holder → requester, for Merkle-root ids only, before the chunks they cover: the hashes of
     * pieces {@code firstPiece ..} (64 KiB each) and the {@code proof} hashes that link them to
     * the root (see {@code content.PieceTree}). 32 bytes each.
     */
    record Hashes(int requestId, int firstPiece, List<byte[]> pieces, List<byte[]> proof) implements TransferMessage {}

    /** Bytes before a {@link Chunk}'s payload: type, request id, offset. */
    int CHUNK_HEADER_BYTES = 1 + 4 + 8;

    /**
     * Puts a {@link Chunk}'s header into {@code out}; its payload goes right after it. For senders
     * that read the payload straight into the message buffer.
     */
    static ByteBuffer putChunkHeader(ByteBuffer out, int requestId, long offset) {
        return out.put(CHUNK).putInt(requestId).putLong(offset);
    }

    static byte[] encode(TransferMessage message) {
        ByteBuffer out;
        if (message instanceof Request r) {
            byte[] id = r.resource().getBytes(StandardCharsets.US_ASCII);
            if (id.length > 255) {
                throw new IllegalArgumentException("resource id longer than 255 bytes");
            }
            out = header(REQUEST, r.requestId(), 8 + 8 + 1 + id.length);
            out.putLong(r.offset()).putLong(r.length()).put((byte) id.length).put(id);
        } else if (message instanceof Response r) {
            out = header(RESPONSE, r.requestId(), 24);
            out.putLong(r.totalSize()).putLong(r.offset()).putLong(r.length());
        } else if (message instanceof Chunk c) {
            if (c.length() > MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("chunk of " + c.length() + " bytes exceeds " + MAX_CHUNK_BYTES);
            }
            out = header(CHUNK, c.requestId(), 8 + c.length());
            out.putLong(c.offset()).put(c.array(), c.from(), c.length());
        } else if (message instanceof End e) {
            out = header(END, e.requestId(), 0);
        } else if (message instanceof NotFound n) {
            out = header(NOT_FOUND, n.requestId(), 0);
        } else if (message instanceof Error e) {
            byte[] text = e.message().getBytes(StandardCharsets.UTF_8);
            int len = Math.min(text.length, 1024);
            out = header(ERROR, e.requestId(), 2 + len);
            out.putShort((short) e.code()).put(text, 0, len);
        } else if (message instanceof Cancel c) {
            out = header(CANCEL, c.requestId(), 0);
        } else if (message instanceof Hashes h) {
            if (h.pieces().isEmpty() || h.pieces().size() > MAX_HASHES || h.proof().size() > MAX_HASHES) {
                throw new IllegalArgumentException("1.." + MAX_HASHES + " piece hashes and at most " + MAX_HASHES + " proof hashes");
            }
            out = header(HASHES, h.requestId(), 4 + 1 + 1 + 32 * (h.pieces().size() + h.proof().size()));
            out.putInt(h.firstPiece()).put((byte) h.pieces().size()).put((byte) h.proof().size());
            h.pieces().forEach(out::put);
            h.proof().forEach(out::put);
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
        return out.array();
    }

    private static List<byte[]> readHashes(ByteBuffer in, int count) {
        List<byte[]> hashes = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] h = new byte[32];
            in.get(h);
            hashes.add(h);
        }
        return hashes;
    }

    private static ByteBuffer header(byte type, int requestId, int bodyLength) {
        ByteBuffer out = ByteBuffer.allocate(5 + bodyLength);
        out.put(type).putInt(requestId);
        return out;
    }

    /**
     * Decodes one message; throws {@link TransferProtocolException} when it is malformed. A
     * {@link Chunk}'s payload stays in {@code bytes}: the caller must not reuse the array while the
     * chunk is in use.
     */
    static TransferMessage decode(byte[] bytes) throws TransferProtocolException {
        if (bytes.length > MAX_MESSAGE_BYTES) {
            throw new TransferProtocolException("message of " + bytes.length + " bytes exceeds " + MAX_MESSAGE_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte type = in.get();
            int requestId = in.getInt();
            TransferMessage message = switch (type) {
                case REQUEST -> {
                    long offset = in.getLong();
                    long length = in.getLong();
                    int idLength = Byte.toUnsignedInt(in.get());
                    byte[] id = new byte[idLength];
                    in.get(id);
                    if (offset < 0 || length < TO_END) {
                        throw new TransferProtocolException("request with negative offset or length");
                    }
                    yield new Request(requestId, new String(id, StandardCharsets.US_ASCII), offset, length);
                }
                case RESPONSE -> {
                    Response r = new Response(requestId, in.getLong(), in.getLong(), in.getLong());
                    if (r.totalSize() < 0 || r.offset() < 0 || r.length() < 0 || r.offset() + r.length() > r.totalSize()) {
                        throw new TransferProtocolException("response with inconsistent sizes " + r);
                    }
                    yield r;
                }
                case CHUNK -> {
                    long offset = in.getLong();
                    int from = in.position();
                    int length = in.remaining();
                    in.position(from + length);
                    yield new Chunk(requestId, offset, bytes, from, length);
                }
                case END -> new End(requestId);
                case NOT_FOUND -> new NotFound(requestId);
                case ERROR -> {
                    int code = Short.toUnsignedInt(in.getShort());
                    byte[] text = new byte[in.remaining()];
                    in.get(text);
                    yield new Error(requestId, code, new String(text, StandardCharsets.UTF_8));
                }
                case CANCEL -> new Cancel(requestId);
                case HASHES -> {
                    int firstPiece = in.getInt();
                    int pieces = Byte.toUnsignedInt(in.get());
                    int proof = Byte.toUnsignedInt(in.get());
                    if (firstPiece < 0 || pieces == 0) {
                        throw new TransferProtocolException("hashes with a negative first piece or no pieces");
                    }
                    yield new Hashes(requestId, firstPiece, readHashes(in, pieces), readHashes(in, proof));
                }
                default -> throw new TransferProtocolException("unknown message type 0x" + Integer.toHexString(type & 0xff));
            };
            if (in.hasRemaining()) {
                throw new TransferProtocolException(in.remaining() + " stray bytes after message type 0x"
                        + Integer.toHexString(type & 0xff));
            }
            return message;
        } catch (BufferUnderflowException e) {
            throw new TransferProtocolException("truncated message of " + bytes.length + " bytes");
        }
    }
}
