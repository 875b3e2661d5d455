package io.swarmkeeper.protocol;

/** A frame broke the protocol. {@link #code()} is one of {@link ErrorCode}'s stable codes. */
public final class ProtocolException extends Exception {
    private final String code;

    public ProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public Message.Error toMessage() {
        return new Message.Error(code, getMessage());
    }
}
