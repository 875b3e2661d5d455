package io.swarmkeeper.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.swarmkeeper.protocol.Message;
import io.swarmkeeper.protocol.MessageCodec;
import org.junit.jupiter.api.Test;

/** simple-peer's signal objects, and the variants other implementations send. */
class SignalObjectsTest {
    private static final String LINE = "candidate:1 1 udp 2122260223 10.77.0.1 50123 typ host";

    @Test
    void descriptionsRoundTrip() throws Exception {
        RTCSessionDescription offer = new RTCSessionDescription(RTCSdpType.OFFER, "v=0\r\n");
        JsonNode json = SignalObjects.description(offer);
        assertEquals("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}", json.toString());
        RTCSessionDescription back = SignalObjects.toDescription(json);
        assertEquals(offer.sdpType, back.sdpType);
        assertEquals(offer.sdp, back.sdp);
    }

    @Test
    void candidatesUseSimplePeersShape() {
        JsonNode json = SignalObjects.candidate(new RTCIceCandidate("0", 0, LINE));
        assertEquals("{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"" + LINE
                + "\",\"sdpMLineIndex\":0,\"sdpMid\":\"0\"}}", json.toString());
        RTCIceCandidate back = SignalObjects.toCandidate(json);
        assertEquals(LINE, back.sdp);
        assertEquals("0", back.sdpMid);
    }

    @Test
    void acceptsPrefixedLinesAndNullIndexFromNodeDatachannel() throws Exception {
        JsonNode json = parse("{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"a=" + LINE
                + "\",\"sdpMLineIndex\":null,\"sdpMid\":\"0\"}}");
        RTCIceCandidate candidate = SignalObjects.toCandidate(json);
        assertEquals(LINE, candidate.sdp);
        assertEquals(0, candidate.sdpMLineIndex);
    }

    @Test
    void acceptsBareCandidateStrings() throws Exception {
        JsonNode json = parse("{\"candidate\":\"" + LINE + "\",\"sdpMid\":\"data\",\"sdpMLineIndex\":1}");
        assertEquals("candidate", SignalObjects.kind(json));
        RTCIceCandidate candidate = SignalObjects.toCandidate(json);
        assertEquals("data", candidate.sdpMid);
        assertEquals(1, candidate.sdpMLineIndex);
    }

    @Test
    void endOfCandidatesIsNotACandidate() throws Exception {
        assertNull(SignalObjects.toCandidate(parse("{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"\"}}")));
    }

    @Test
    void refusesNonsense() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> SignalObjects.toDescription(parse("{\"type\":\"offer\"}")));
        assertThrows(IllegalArgumentException.class, () -> SignalObjects.toDescription(parse("{\"type\":\"candidate\"}")));
        assertThrows(IllegalArgumentException.class,
                () -> SignalObjects.toCandidate(parse("{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"rm -rf /\"}}")));
        assertThrows(IllegalArgumentException.class,
                () -> SignalObjects.toCandidate(parse("{\"type\":\"candidate\",\"candidate\":42}")));
    }

    @Test
    void aRefusalIsPinnedToItsGoldenFile() throws Exception {
        Message.Signal refusal = new Message.Signal("p7w2r8n4ce", null, SignalObjects.refused("busy", "Jx3q"));
        String golden;
        try (java.io.InputStream in = getClass().getResourceAsStream("/golden/signaling/signal-refused.json")) {
            golden = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
        assertEquals(golden, MessageCodec.encode(refusal));
        Message.Signal decoded = (Message.Signal) MessageCodec.decode(golden);
        assertEquals("refused", SignalObjects.kind(decoded.data()));
        assertEquals(refusal, decoded);
        assertEquals("{\"type\":\"refused\",\"reason\":\"too-many-offers\"}",
                SignalObjects.refused("too-many-offers", null).toString(), "no ufrag: none sent");
    }

    @Test
    void usernameFragmentsOfOffersAndCandidates() {
        assertEquals("Jx3q", SignalObjects.iceUfrag("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=ice-ufrag:Jx3q\r\na=ice-pwd:x\r\n"));
        assertNull(SignalObjects.iceUfrag("v=0\r\n"));
        assertNull(SignalObjects.iceUfrag(null));
        assertEquals("Jx3q", SignalObjects.candidateUfrag(LINE + " generation 0 ufrag Jx3q network-id 1"));
        assertNull(SignalObjects.candidateUfrag(LINE), "node-datachannel's lines name none");
    }

    private static JsonNode parse(String json) throws Exception {
        return MessageCodec.mapper().readTree(json);
    }
}
