package io.swarmkeeper.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmkeeper.content.HashMismatchException;
import io.swarmkeeper.content.ResourceId;
import io.swarmkeeper.content.VerifiedFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer protocol's two ends wired back to back in memory: the exchange rules and the
 * handling of holders that break them, without WebRTC in the way (SwarmTest covers the real links).
 */
class TransferExchangeTest {
    @TempDir
    Path staging;

    private static final Executor INLINE = Runnable::run;

    @Test
    void aResourceCrossesInChunksOfAtMost64KiBAndVerifies() throws Exception {
        byte[] body = bytes(300_000);
        ResourceId id = ResourceId.of(body);
        List<byte[]> wire = new ArrayList<>();
        TransferClient[] client = new TransferClient[1];
        TransferServer server = new TransferServer("leecher", source(id, body), message -> {
            wire.add(message);
            client[0].onMessage(message);
        }, INLINE, TransferObserver.NONE);
        client[0] = new TransferClient("seeder", server::onMessage, TransferObserver.NONE);

        VerifiedFile file = client[0].fetch(id, staging, 1 << 20).get(5, TimeUnit.SECONDS);
        try (InputStream in = file.open()) {
            assertArrayEquals(body, in.readAllBytes());
        }
        file.close();
        assertTrue(wire.stream().allMatch(m -> m.length <= TransferMessage.MAX_MESSAGE_BYTES));
        assertEquals(1 + 5 + 1, wire.size(), "response, five chunks, end");
    }

    @Test
    void bytesThatFailTheHashNeverLeaveTheClient() throws Exception {
        byte[] body = bytes(100_000);
        ResourceId id = ResourceId.of(body);
        byte[] lie = body.clone();
        lie[99_999] ^= 1;
        TransferClient[] client = new TransferClient[1];
        TransferServer server = new TransferServer("leecher", source(id, lie), m -> client[0].onMessage(m),
                INLINE, TransferObserver.NONE);
        client[0] = new TransferClient("liar", server::onMessage, TransferObserver.NONE);

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client[0].fetch(id, staging, 1 << 20).get(5, TimeUnit.SECONDS));
        assertInstanceOf(HashMismatchException.class, e.getCause());
        assertEquals(0, filesIn(staging), "the bad bytes were deleted");
    }

    @Test
    void holdersThatBreakTheRulesAreCaught() throws Exception {
        ResourceId id = ResourceId.of(new byte[10]);
        assertViolation(id, List.of(new TransferMessage.Chunk(1, 0, new byte[10])), "chunk before response");
        assertViolation(id, List.of(new TransferMessage.Response(1, 10, 0, 10), new TransferMessage.Chunk(1, 0, new byte[0])),
                "empty chunk");
        assertViolation(id, List.of(new TransferMessage.Response(1, 10, 0, 10), new TransferMessage.Chunk(1, 5, new byte[5])),
                "offset");
        assertViolation(id, List.of(new TransferMessage.Response(1, 10, 0, 10), new TransferMessage.Chunk(1, 0, new byte[11])),
                "more bytes");
        assertViolation(id, List.of(new TransferMessage.Response(1, 10, 0, 10), new TransferMessage.Chunk(1, 0, new byte[5]),
                new TransferMessage.End(1)), "end after");
        assertViolation(id, List.of(new TransferMessage.Response(1, 10, 2, 8)), "asked for bytes 0–end of a 10-byte resource");
        assertViolation(id, List.of(new TransferMessage.Response(1, 10, 0, 10), new TransferMessage.Hashes(1, 0,
                List.of(new byte[32]), List.of())), "not named by a Merkle root");
    }

    private void assertViolation(ResourceId id, List<TransferMessage> fromHolder, String expected) throws Exception {
        TransferClient client = new TransferClient("rogue", m -> {}, TransferObserver.NONE);
        CompletableFuture<VerifiedFile> result = client.fetch(id, staging, 1 << 20);
        TransferProtocolException thrown = null;
        for (TransferMessage message : fromHolder) {
            try {
                client.onMessage(TransferMessage.encode(message));
            } catch (TransferProtocolException e) {
                thrown = e;
                break;
            }
        }
        assertTrue(thrown != null && thrown.getMessage().contains(expected), "expected \"" + expected + "\", got " + thrown);
        assertTrue(result.isCompletedExceptionally());
        assertEquals(0, filesIn(staging));
    }

    /** Holder side: an offset equal to the size is an empty range, whatever the length; beyond it, ERROR 3. */
    @Test
    void anOffsetAtTheEndIsAnEmptyRangeAndOneBeyondItIsRefused() throws Exception {
        byte[] body = bytes(10);
        ResourceId id = ResourceId.of(body);
        for (long length : new long[] {0, TransferMessage.TO_END, 5, 1 << 20}) {
            assertEquals(List.of(new TransferMessage.Response(1, 10, 10, 0), new TransferMessage.End(1)),
                    answers(id, body, new TransferMessage.Request(1, id.text(), 10, length)), "length " + length);
        }
        assertEquals(List.of(new TransferMessage.Response(1, 10, 4, 0), new TransferMessage.End(1)),
                answers(id, body, new TransferMessage.Request(1, id.text(), 4, 0)), "length 0 inside: the size, no bytes");
        List<TransferMessage> beyond = answers(id, body, new TransferMessage.Request(1, id.text(), 11, TransferMessage.TO_END));
        assertEquals(1, beyond.size(), beyond.toString());
        TransferMessage.Error error = assertInstanceOf(TransferMessage.Error.class, beyond.get(0));
        assertEquals(TransferError.BAD_RANGE, error.code());
        assertEquals("offset 11 beyond size 10", error.message());

        // The empty resource, asked the way a requester asks before it knows the size.
        ResourceId empty = ResourceId.of(new byte[0]);
        assertEquals(List.of(new TransferMessage.Response(1, 0, 0, 0), new TransferMessage.End(1)),
                answers(empty, new byte[0], new TransferMessage.Request(1, empty.text(), 0, 512 * 1024)));
    }

    /** Requester side: an empty range completes at its END with no bytes; a chunk in it is a violation. */
    @Test
    void aRequesterTakesAnEmptyRangeAndNothingInIt() throws Exception {
        ResourceId id = ResourceId.of(bytes(10));
        List<Long> sizes = new ArrayList<>();
        List<byte[]> written = new ArrayList<>();
        RangeSink sink = new RangeSink() {
            @Override
            public void size(long totalSize) {
                sizes.add(totalSize);
            }

            @Override
            public void write(long offset, byte[] data, int from, int length) {
                written.add(java.util.Arrays.copyOfRange(data, from, from + length));
            }
        };
        TransferClient client = new TransferClient("holder", m -> {}, TransferObserver.NONE);
        CompletableFuture<Long> atTheEnd = client.fetchRange(id, 10, TransferMessage.TO_END, sink);
        client.onMessage(TransferMessage.encode(new TransferMessage.Response(1, 10, 10, 0)));
        client.onMessage(TransferMessage.encode(new TransferMessage.End(1)));
        assertEquals(0L, atTheEnd.get(1, TimeUnit.SECONDS));
        assertEquals(List.of(10L), sizes);
        assertTrue(written.isEmpty());

        CompletableFuture<Long> stuffed = client.fetchRange(id, 10, 4, sink);
        client.onMessage(TransferMessage.encode(new TransferMessage.Response(2, 10, 10, 0)));
        TransferProtocolException e = assertThrows(TransferProtocolException.class,
                () -> client.onMessage(TransferMessage.encode(new TransferMessage.Chunk(2, 10, new byte[1]))));
        assertTrue(e.getMessage().contains("more bytes than asked"), e.getMessage());
        assertTrue(stuffed.isCompletedExceptionally());

        CompletableFuture<Long> beyond = client.fetchRange(id, 11, TransferMessage.TO_END, sink);
        client.onMessage(TransferMessage.encode(new TransferMessage.Error(3, TransferError.BAD_RANGE, "offset 11 beyond size 10")));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> beyond.get(1, TimeUnit.SECONDS));
        assertEquals(TransferError.BAD_RANGE, assertInstanceOf(TransferFailedException.class, failed.getCause()).code());
        assertTrue(written.isEmpty());
    }

    /** The empty resource crosses from holder to requester and verifies. */
    @Test
    void theEmptyResourceIsFetchedAndVerified() throws Exception {
        ResourceId id = ResourceId.of(new byte[0]);
        TransferClient[] client = new TransferClient[1];
        TransferServer server = new TransferServer("leecher", source(id, new byte[0]), m -> client[0].onMessage(m),
                INLINE, TransferObserver.NONE);
        client[0] = new TransferClient("seeder", server::onMessage, TransferObserver.NONE);
        VerifiedFile file = client[0].fetch(id, staging, 100).get(5, TimeUnit.SECONDS);
        assertEquals(0, file.size());
        file.close();
    }

    /** mt256- ranges start on a piece boundary and end on one or at the end: the holder refuses others with ERROR 1. */
    @Test
    void misalignedMerkleRangesAreRefusedWithAClearError() throws Exception {
        int piece = io.swarmkeeper.content.PieceTree.PIECE_BYTES;
        byte[] body = bytes(3 * piece + 100);
        ResourceId id = ResourceId.of(io.swarmkeeper.content.HashAlgorithm.MERKLE_SHA256, body);
        Map<String, TransferMessage.Request> misaligned = new java.util.LinkedHashMap<>();
        misaligned.put("offset 1000 is not a piece boundary", new TransferMessage.Request(1, id.text(), 1000, TransferMessage.TO_END));
        misaligned.put("end 1000 is not a piece boundary", new TransferMessage.Request(1, id.text(), 0, 1000));
        misaligned.put("end 131073 is not a piece boundary", new TransferMessage.Request(1, id.text(), piece, piece + 1));
        misaligned.put("offset 196708 is not a piece boundary", new TransferMessage.Request(1, id.text(), body.length, 0));
        for (Map.Entry<String, TransferMessage.Request> e : misaligned.entrySet()) {
            List<TransferMessage> replies = answers(id, body, e.getValue());
            assertEquals(1, replies.size(), e.getKey() + ": " + replies);
            TransferMessage.Error error = assertInstanceOf(TransferMessage.Error.class, replies.get(0));
            assertEquals(TransferError.PROTOCOL, error.code());
            assertTrue(error.message().contains(e.getKey()), error.message());
            assertTrue(error.message().contains("mt256-"), error.message());
        }
        // Aligned ranges, the last cut at the end of the resource, are served.
        for (long[] range : new long[][] {{piece, piece}, {2L * piece, TransferMessage.TO_END}, {0, body.length},
                {2L * piece, 10L * piece}, {piece, 0}}) {
            List<TransferMessage> replies = answers(id, body, new TransferMessage.Request(1, id.text(), range[0], range[1]));
            assertInstanceOf(TransferMessage.Response.class, replies.get(0), java.util.Arrays.toString(range));
            assertInstanceOf(TransferMessage.End.class, replies.get(replies.size() - 1), java.util.Arrays.toString(range));
        }
        // Other ids have no pieces: any offset will do.
        ResourceId sha = ResourceId.of(body);
        assertInstanceOf(TransferMessage.Response.class, answers(sha, body, new TransferMessage.Request(1, sha.text(), 1000, 7)).get(0));
    }

    /** A refused request leaves the link as it was: the next one on it is served. */
    @Test
    void aLinkServesOnAfterAMisalignedRequest() throws Exception {
        byte[] body = bytes(2 * io.swarmkeeper.content.PieceTree.PIECE_BYTES);
        ResourceId id = ResourceId.of(io.swarmkeeper.content.HashAlgorithm.MERKLE_SHA256, body);
        List<TransferMessage> replies = new ArrayList<>();
        TransferServer server = new TransferServer("requester", source(id, body), m -> replies.add(TransferMessage.decode(m)),
                INLINE, TransferObserver.NONE);
        server.onMessage(TransferMessage.encode(new TransferMessage.Request(1, id.text(), 5, TransferMessage.TO_END)));
        server.onMessage(TransferMessage.encode(new TransferMessage.Request(2, id.text(), 0, TransferMessage.TO_END)));
        assertEquals(TransferError.PROTOCOL, assertInstanceOf(TransferMessage.Error.class, replies.get(0)).code());
        assertEquals(new TransferMessage.Response(2, body.length, 0, body.length), replies.get(1));
        assertEquals(new TransferMessage.End(2), replies.get(replies.size() - 1));
    }

    /**
     * A holder on a channel whose protocol names another version answers every message, whatever
     * its shape, with ERROR 5 under that message's request id, serves nothing and drops nothing.
     */
    @Test
    void aHolderRefusesAChannelOfAnotherVersionMessageByMessage() throws Exception {
        ResourceId id = ResourceId.of(bytes(10));
        ContentSource untouchable = wanted -> {
            throw new AssertionError("a refused channel reads nothing");
        };
        List<TransferMessage> replies = new ArrayList<>();
        TransferServer server = new TransferServer("requester", untouchable, m -> replies.add(TransferMessage.decode(m)),
                INLINE, TransferObserver.NONE, RateLimiter.unlimited(), "swarmkeeper/2");
        server.onMessage(TransferMessage.encode(new TransferMessage.Request(7, id.text(), 0, TransferMessage.TO_END)));
        server.onMessage(new byte[] {0x42, 0, 0, 0, 9, 1, 2, 3}); // a message type version 1 does not have
        server.onMessage(new byte[] {0x01, 0}); // too short to carry a request id
        String spoken = TransferVersion.CHANNEL_PROTOCOL;
        assertEquals(List.of(new TransferMessage.Error(7, TransferError.UNSUPPORTED_VERSION, spoken),
                new TransferMessage.Error(9, TransferError.UNSUPPORTED_VERSION, spoken),
                new TransferMessage.Error(0, TransferError.UNSUPPORTED_VERSION, spoken)), replies);

        // The requester learns why, and that it is no fault of the holder's (not a violation).
        TransferClient client = new TransferClient("holder", m -> {}, TransferObserver.NONE);
        CompletableFuture<Long> refused = client.fetchRange(id, 0, TransferMessage.TO_END, new RangeSink() {
            @Override
            public void size(long totalSize) {}

            @Override
            public void write(long offset, byte[] data, int from, int length) {}
        });
        client.onMessage(TransferMessage.encode(new TransferMessage.Error(1, TransferError.UNSUPPORTED_VERSION, spoken)));
        ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(1, TimeUnit.SECONDS));
        TransferFailedException failed = assertInstanceOf(TransferFailedException.class, e.getCause());
        assertEquals(TransferError.UNSUPPORTED_VERSION, failed.code());
        assertEquals("peer holder does not speak this channel's protocol version; it speaks swarmkeeper/1 (code 5)",
                failed.getMessage());
    }

    /** Version 1 is a channel named swarmkeeper/1, or one that names nothing (Java peers before the name was set). */
    @Test
    void aHolderServesChannelsOfVersionOneNamedOrNot() throws Exception {
        byte[] body = bytes(10);
        ResourceId id = ResourceId.of(body);
        for (String protocol : new String[] {TransferVersion.CHANNEL_PROTOCOL, "", null}) {
            List<TransferMessage> replies = new ArrayList<>();
            TransferServer server = new TransferServer("requester", source(id, body), m -> replies.add(TransferMessage.decode(m)),
                    INLINE, TransferObserver.NONE, RateLimiter.unlimited(), protocol);
            server.onMessage(TransferMessage.encode(new TransferMessage.Request(1, id.text(), 0, TransferMessage.TO_END)));
            assertEquals(new TransferMessage.Response(1, 10, 0, 10), replies.get(0), "protocol " + protocol);
            assertEquals(new TransferMessage.End(1), replies.get(replies.size() - 1), "protocol " + protocol);
        }
        assertFalse(TransferVersion.speaks("swarmkeeper/2"));
        assertFalse(TransferVersion.speaks("swarmkeeper"));
    }

    /** What a holder answers to one request, in order (uploads run inline). */
    private static List<TransferMessage> answers(ResourceId id, byte[] body, TransferMessage.Request request) throws Exception {
        List<TransferMessage> replies = new ArrayList<>();
        TransferServer server = new TransferServer("requester", source(id, body), m -> replies.add(TransferMessage.decode(m)),
                INLINE, TransferObserver.NONE);
        server.onMessage(TransferMessage.encode(request));
        return replies;
    }

    @Test
    void oneLinkGetsAtMostTwoUploadsAtOnce() throws Exception {
        byte[] body = bytes(10);
        ResourceId id = ResourceId.of(body);
        List<Runnable> parked = new ArrayList<>();
        List<TransferMessage> replies = new ArrayList<>();
        TransferServer server = new TransferServer("greedy", source(id, body), m -> replies.add(TransferMessage.decode(m)),
                parked::add, TransferObserver.NONE);
        for (int request = 1; request <= 3; request++) {
            server.onMessage(TransferMessage.encode(new TransferMessage.Request(request, id.text(), 0, TransferMessage.TO_END)));
        }
        assertEquals(2, parked.size(), "two uploads started");
        TransferMessage.Error busy = assertInstanceOf(TransferMessage.Error.class, replies.get(0));
        assertEquals(3, busy.requestId());
        assertEquals(TransferError.BUSY, busy.code());
    }

    @Test
    void aRequesterMayNotSendData() {
        TransferServer server = new TransferServer("rogue", source(ResourceId.of(new byte[1]), new byte[1]), m -> {},
                INLINE, TransferObserver.NONE);
        assertThrows(TransferProtocolException.class,
                () -> server.onMessage(TransferMessage.encode(new TransferMessage.Chunk(1, 0, new byte[3]))));
        assertThrows(TransferProtocolException.class,
                () -> server.onMessage(TransferMessage.encode(new TransferMessage.Request(1, "not-an-id", 0, -1))));
    }

    @Test
    void unknownResourcesAreNotFound() throws Exception {
        ResourceId id = ResourceId.of(new byte[5]);
        TransferClient[] client = new TransferClient[1];
        TransferServer server = new TransferServer("leecher", source(ResourceId.of(new byte[6]), new byte[6]),
                m -> client[0].onMessage(m), INLINE, TransferObserver.NONE);
        client[0] = new TransferClient("seeder", server::onMessage, TransferObserver.NONE);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client[0].fetch(id, staging, 100).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("does not hold"), e.getCause().getMessage());
    }

    private static ContentSource source(ResourceId id, byte[] body) {
        Map<ResourceId, byte[]> held = Map.of(id, body);
        return wanted -> Optional.ofNullable(held.get(wanted)).map(bytes -> new ContentSource.Content() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream stream() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public void close() {}
        });
    }

    private static byte[] bytes(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static long filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
