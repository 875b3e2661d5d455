package io.swarmkeeper.rtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;

/**
 * Converts between webrtc-java's types and simple-peer's signal objects:
 * {@code {type:"offer"|"answer", sdp}} and
 * {@code {type:"candidate", candidate:{candidate, sdpMLineIndex, sdpMid}}}.
 * Reading is tolerant of the forms other implementations send ({@code a=candidate:} prefixes,
 * a null {@code sdpMLineIndex}, a bare candidate string).
 */
public final class SignalObjects {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SignalObjects() {}

    public static ObjectNode description(RTCSessionDescription description) {
        ObjectNode node = JSON.objectNode();
        node.put("type", switch (description.sdpType) {
            case OFFER -> "offer";
            case ANSWER -> "answer";
            case PR_ANSWER -> "pranswer";
            case ROLLBACK -> "rollback";
        });
        node.put("sdp", description.sdp);
        return node;
    }

    public static ObjectNode candidate(RTCIceCandidate candidate) {
        ObjectNode inner = JSON.objectNode();
        inner.put("candidate", candidate.sdp);
        inner.put("sdpMLineIndex", candidate.sdpMLineIndex);
        inner.put("sdpMid", candidate.sdpMid);
        ObjectNode node = JSON.objectNode();
        node.put("type", "candidate");
        node.set("candidate", inner);
        return node;
    }

    /**
     * A holder's refusal of an offer, {@code {type:"refused", reason, ufrag}}: not a simple-peer
     * signal (docs/protocol.md, section 1, {@code signal}). {@code ufrag} names the refused offer's
     * ICE username fragment, so that the offerer drops only the link that offer started; may be null.
     */
    public static ObjectNode refused(String reason, String ufrag) {
        ObjectNode node = JSON.objectNode();
        node.put("type", "refused");
        node.put("reason", reason);
        if (ufrag != null) {
            node.put("ufrag", ufrag);
        }
        return node;
    }

    /**
     * The ICE username fragment of a session description ({@code a=ice-ufrag:} in its SDP), or
     * null. Every offer has its own, so it names the connection attempt an offer starts.
     */
    public static String iceUfrag(String sdp) {
        if (sdp == null) {
            return null;
        }
        int at = sdp.indexOf("a=ice-ufrag:");
        if (at < 0) {
            return null;
        }
        int start = at + "a=ice-ufrag:".length();
        int end = start;
        while (end < sdp.length() && !Character.isWhitespace(sdp.charAt(end))) {
            end++;
        }
        return end > start ? sdp.substring(start, end) : null;
    }

    /** The username fragment a candidate line names ({@code … ufrag X …}, as libwebrtc and browsers write it), or null. */
    public static String candidateUfrag(String line) {
        if (line == null) {
            return null;
        }
        String[] parts = line.trim().split("\\s+");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].equals("ufrag")) {
                return parts[i + 1];
            }
        }
        return null;
    }

    /** The kind of a received signal object: "offer", "answer", "candidate", … or "" when absent. */
    public static String kind(JsonNode signal) {
        JsonNode type = signal.get("type");
        if (type != null && type.isTextual()) {
            return type.asText();
        }
        // Some implementations send bare candidates without a type.
        return signal.has("candidate") ? "candidate" : "";
    }

    public static RTCSessionDescription toDescription(JsonNode signal) {
        String kind = kind(signal);
        RTCSdpType type = switch (kind) {
            case "offer" -> RTCSdpType.OFFER;
            case "answer" -> RTCSdpType.ANSWER;
            case "pranswer" -> RTCSdpType.PR_ANSWER;
            default -> throw new IllegalArgumentException("not a session description: type \"" + kind + "\"");
        };
        JsonNode sdp = signal.get("sdp");
        if (sdp == null || !sdp.isTextual() || sdp.asText().isBlank()) {
            throw new IllegalArgumentException(kind + " without \"sdp\"");
        }
        return new RTCSessionDescription(type, sdp.asText());
    }

    /**
     * Reads a candidate signal. Returns null for the end-of-candidates marker (an empty candidate).
     */
    public static RTCIceCandidate toCandidate(JsonNode signal) {
        JsonNode inner = signal.get("candidate");
        if (inner == null || inner.isNull()) {
            throw new IllegalArgumentException("candidate signal without \"candidate\"");
        }
        String line;
        String mid = null;
        int index = 0;
        if (inner.isTextual()) {
            line = inner.asText();
            mid = textOrNull(signal.get("sdpMid"));
            index = intOr(signal.get("sdpMLineIndex"), 0);
        } else if (inner.isObject()) {
            line = textOrNull(inner.get("candidate"));
            mid = textOrNull(inner.get("sdpMid"));
            index = intOr(inner.get("sdpMLineIndex"), 0);
        } else {
            throw new IllegalArgumentException("\"candidate\" must be an object or a string");
        }
        if (line == null) {
            throw new IllegalArgumentException("candidate without a candidate line");
        }
        line = line.trim();
        if (line.startsWith("a=")) {
            line = line.substring(2);
        }
        if (line.isEmpty()) {
            return null;
        }
        if (!line.startsWith("candidate:")) {
            throw new IllegalArgumentException("not an ICE candidate line: " + abbreviate(line));
        }
        return new RTCIceCandidate(mid == null ? "0" : mid, index, line);
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static int intOr(JsonNode node, int fallback) {
        return node == null || !node.canConvertToInt() ? fallback : node.asInt();
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
