package io.swarmkeeper.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Turns {@link Message}s into JSON text and back. Thread-safe. */
public final class MessageCodec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private MessageCodec() {}

    public static String encode(Message message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message, e);
        }
    }

    /** Decodes one frame; a {@link ProtocolException} carries the stable error code to answer with. */
    public static Message decode(String text) throws ProtocolException {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "not JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "a message must be a JSON object");
        }
        JsonNode type = tree.get("type");
        if (type == null || !type.isTextual()) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "a message needs a string \"type\"");
        }
        try {
            return MAPPER.treeToValue(tree, Message.class);
        } catch (InvalidTypeIdException e) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type \"" + type.asText() + "\"");
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "bad \"" + type.asText() + "\" message: " + why);
        }
    }

    /**
     * Builds the mapper's (de)serialisers for the messages a peer sends and receives first (hello,
     * welcome, have), which Jackson otherwise builds by introspection on first use, on the path
     * to the welcome (≈ 0.1 s at a cold start). A start-up calls this on a spare thread while it
     * does its other work (opening the store).
     */
    public static void prepare() {
        try {
            decode(encode(new Message.Hello(Message.PROTOCOL_VERSION, PeerRole.SEEDER)));
            decode(encode(new Message.Welcome("prepare", null, null, java.util.List.of(), null)));
            decode(encode(new Message.Have(java.util.List.of())));
        } catch (ProtocolException e) {
            throw new IllegalStateException("the codec cannot read what it writes", e);
        }
    }

    /** The wire name of a message's type, e.g. {@code "peer-gone"}. */
    public static String typeName(Message message) {
        for (JsonSubTypes.Type type : Message.class.getAnnotation(JsonSubTypes.class).value()) {
            if (type.value() == message.getClass()) {
                return type.name();
            }
        }
        throw new IllegalArgumentException("not a protocol message: " + message.getClass());
    }

    /** The shared mapper, configured like the wire (for signal payloads and manifests). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
