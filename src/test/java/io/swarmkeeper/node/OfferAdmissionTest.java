package io.swarmkeeper.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which offers a node answers: the bookkeeping alone, on a clock the test moves. */
class OfferAdmissionTest {
    private static final long SECOND = 1_000_000_000L;
    /** 8 links, 3 being set up, 4 offers per peer per 10 s, 100 new links a second. */
    private static final LinkLimits LIMITS = new LinkLimits(8, 3, 4, Duration.ofSeconds(10), 100, Duration.ofSeconds(30));

    /** A link being set up, made a second ago. */
    private static OfferAdmission.Held pending(String peer) {
        return new OfferAdmission.Held(peer, true, SECOND);
    }

    private static OfferAdmission.Held open(String peer) {
        return new OfferAdmission.Held(peer, false, 60 * SECOND);
    }

    private static String refusal(OfferAdmission.Decision d) {
        return assertInstanceOf(OfferAdmission.Refuse.class, d).reason();
    }

    @Test
    void aPeerThatKeepsOfferingIsRefusedUntilItsCountDecays() {
        OfferAdmission admission = new OfferAdmission(LIMITS, 0);
        long t = 0;
        assertInstanceOf(OfferAdmission.Answer.class, admission.offer("p", List.of(), t));
        for (int i = 1; i < 4; i++) { // each new offer replaces its open link: a new connection
            assertInstanceOf(OfferAdmission.Answer.class, admission.offer("p", List.of(open("p")), t += SECOND / 10));
        }
        assertEquals(OfferAdmission.TOO_MANY_OFFERS, refusal(admission.offer("p", List.of(open("p")), t += SECOND / 10)));
        // Others are not affected.
        assertInstanceOf(OfferAdmission.Answer.class, admission.offer("q", List.of(open("p")), t));
        // After a quiet spell its count has decayed.
        assertInstanceOf(OfferAdmission.Answer.class, admission.offer("p", List.of(open("p")), t + 30 * SECOND));
    }

    @Test
    void aLinkBeingSetUpIsReplacedByItsPeersNextOfferOnlyOnceItIsFiveSecondsOld() {
        OfferAdmission admission = new OfferAdmission(LIMITS, 0);
        OfferAdmission.Held young = new OfferAdmission.Held("p", true, 4 * SECOND);
        OfferAdmission.Held old = new OfferAdmission.Held("p", true, 5 * SECOND);
        assertEquals(OfferAdmission.TOO_MANY_OFFERS, refusal(admission.offer("p", List.of(young), 0)));
        assertEquals(new OfferAdmission.Answer(null), admission.offer("p", List.of(old), SECOND));
    }

    @Test
    void whenLinksBeingSetUpAreFullAPeerThatOfferedOnceTakesThePlaceOfOneThatFloods() {
        OfferAdmission admission = new OfferAdmission(LIMITS, 0);
        long t = 0;
        // "f" floods: it is over its allowance, its link being set up stays.
        assertInstanceOf(OfferAdmission.Answer.class, admission.offer("f", List.of(), t));
        for (int i = 1; i < 20; i++) {
            assertInstanceOf(OfferAdmission.Refuse.class, admission.offer("f", List.of(pending("f")), t += SECOND / 20));
        }
        List<OfferAdmission.Held> held = List.of(pending("f"), pending("a"), pending("b"));
        admission.offer("a", List.of(pending("f")), t);
        admission.offer("b", List.of(pending("f"), pending("a")), t);
        // Full: an honest newcomer pushes out the flooder's, not the others'.
        assertEquals(new OfferAdmission.Answer("f"), admission.offer("honest", held, t += SECOND));
        // A peer that offered about as much as those holding places is refused instead.
        List<OfferAdmission.Held> after = List.of(pending("honest"), pending("a"), pending("b"));
        assertEquals(OfferAdmission.BUSY, refusal(admission.offer("c", after, t)));
        assertEquals(OfferAdmission.TOO_MANY_OFFERS, refusal(admission.offer("f", after, t)));
    }

    @Test
    void whenEveryLinkIsTakenOffersAreRefusedButAPeerMayReplaceItsOwn() {
        OfferAdmission admission = new OfferAdmission(LIMITS, 0);
        List<OfferAdmission.Held> full = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            full.add(open("o" + i));
        }
        assertEquals(OfferAdmission.BUSY, refusal(admission.offer("new", full, SECOND)));
        assertInstanceOf(OfferAdmission.Answer.class, admission.offer("o3", full, SECOND));
    }

    @Test
    void newLinksAreStartedAtMostAtTheirRate() {
        LinkLimits slow = new LinkLimits(100, 50, 4, Duration.ofSeconds(10), 2, Duration.ofSeconds(30));
        OfferAdmission admission = new OfferAdmission(slow, 0);
        int answered = 0;
        for (int i = 0; i < 200; i++) { // 200 peers at once: a burst of maxPending, then nothing
            if (admission.offer("p" + i, List.of(), 0) instanceof OfferAdmission.Answer) {
                answered++;
            }
        }
        assertEquals(50, answered);
        assertInstanceOf(OfferAdmission.Refuse.class, admission.offer("late", List.of(), SECOND / 4));
        assertInstanceOf(OfferAdmission.Answer.class, admission.offer("later", List.of(), SECOND)); // 2 a second
    }

    @Test
    void aFloodingPeerIsToldOfAFewRefusalsOnly() {
        OfferAdmission admission = new OfferAdmission(LIMITS, 0);
        long t = 0;
        int told = 0;
        int refused = 0;
        for (int i = 0; i < 100; i++) { // 10 s at 10 offers a second
            if (admission.offer("f", i > 0 ? List.of(open("f")) : List.of(), t += SECOND / 10) instanceof OfferAdmission.Refuse r) {
                refused++;
                told += r.tell() ? 1 : 0;
            }
        }
        assertEquals(96, refused);
        // Refused from its 5th offer (0.5 s) on: two at once, then one per 5 s (at 5.5 s).
        assertEquals(3, told);
        // A peer refused now and then hears of each refusal.
        List<OfferAdmission.Held> full = List.of(pending("x"), pending("y"), pending("z"));
        for (int i = 0; i < 3; i++) {
            OfferAdmission.Refuse r = assertInstanceOf(OfferAdmission.Refuse.class,
                    admission.offer("calm", full, t += 10 * SECOND));
            assertTrue(r.tell());
        }
    }

    @Test
    void countsAreForgottenOnceDecayedAndAreBoundedAnyway() {
        OfferAdmission admission = new OfferAdmission(LIMITS, 0);
        for (int i = 0; i < OfferAdmission.MAX_TRACKED_PEERS + 500; i++) {
            admission.offer("p" + i, List.of(), 0);
        }
        assertEquals(OfferAdmission.MAX_TRACKED_PEERS, admission.trackedPeers());
        admission.prune(120 * SECOND);
        assertEquals(0, admission.trackedPeers());
    }
}
