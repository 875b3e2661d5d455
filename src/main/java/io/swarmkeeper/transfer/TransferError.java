package io.swarmkeeper.transfer;

/** Stable codes carried by transfer {@code Error} messages. */
public final class TransferError {
    /** The request was malformed or broke the protocol. */
    public static final int PROTOCOL = 1;
    /** The holder failed to read what it holds. */
    public static final int INTERNAL = 2;
    /** The requested range lies outside the resource. */
    public static final int BAD_RANGE = 3;
    /** The holder has no free upload slot; try another holder or later. */
    public static final int BUSY = 4;
    /** The holder does not speak the data channel's protocol version; the message lists those it speaks. */
    public static final int UNSUPPORTED_VERSION = 5;

    private TransferError() {}
}
