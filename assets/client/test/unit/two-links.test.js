// Two links with one peer (docs/protocol.md, section 1, signal): a page that fetches from a peer
// and serves it too holds the link it offered and the link it answered, and tells their signals
// apart by what they are. Links in memory (test/unit/in-memory-rtc.js), joined by a relay that
// can hold signals and deliver them in the order a test wants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Relay, sessionOf, until, turns } from './in-memory-rtc.js';

const STYLES = [
  ['candidates naming their fragment, after their description (libwebrtc, browsers)', { ufrag: true }],
  ['candidates naming their fragment, before their description', { ufrag: true, candidatesFirst: true }],
  ['candidates naming no fragment, before their description (node-datachannel)', { ufrag: false, candidatesFirst: true }],
];

/** A holder that takes one link at most: links it offered do not count. */
const ONE_LINK = { maxLinks: 1, maxPending: 1, offersPerPeer: 10, offerWindowMs: 10000, newLinksPerSecond: 10 };

/** The lines a session sends as its candidates. */
const linesOf = (session) => [1, 2].map((n) => session.candidateLine(n));

/** A relay whose links are all closed when the test ends, passed or not. */
function relayFor(t) {
  const relay = new Relay();
  t.after(() => relay.close());
  return relay;
}

/** Both peers offer each other at once; resolves when all four links are open. */
async function crossed(relay, aOptions = {}, bOptions = {}) {
  const a = relay.join('a', aOptions);
  const b = relay.join('b', bOptions);
  const ab = a.links.offer('b');
  const ba = b.links.offer('a');
  await until(() => ab.open && ba.open && a.answered.length === 1 && b.answered.length === 1 && a.answered[0].open && b.answered[0].open, 'all four links open');
  return { a, b, ab, ba, aServes: a.answered[0], bServes: b.answered[0] };
}

for (const [name, style] of STYLES) {
  test(`an offer crossing our own is answered: two links with one peer, each carrying one side's requests (${name})`, async (t) => {
    const relay = relayFor(t);
    const { a, b, ab, ba, aServes, bServes } = await crossed(relay, { style, holderLimits: ONE_LINK }, { style, holderLimits: ONE_LINK });
    assert.equal(sessionOf(ab).partner, sessionOf(bServes), "a's offer was answered by b's answering link");
    assert.equal(sessionOf(ba).partner, sessionOf(aServes), "b's offer was answered by a's answering link");
    for (const [m, offered, serving] of [[a, ab, aServes], [b, ba, bServes]]) {
      assert.equal(m.links.size, 2);
      assert.equal(m.links.openLink(m.id === 'a' ? 'b' : 'a'), offered, 'fetches reuse the link this side offered');
      assert.equal(m.links.answeredLink(m.id === 'a' ? 'b' : 'a'), serving, 'serving goes over the link it answered');
      assert.equal(m.answered.length, 1, 'only the answered link is served on');
    }
    await ab.send(Buffer.from('request from a'));
    await ba.send(Buffer.from('request from b'));
    await until(() => aServes.received.length && bServes.received.length, 'the requests');
    assert.deepEqual(bServes.received, ['request from a']);
    assert.deepEqual(aServes.received, ['request from b']);
    if (style.ufrag) {
      // Each answering session got every candidate of the offer it answered and nothing else.
      for (const [serving, offered] of [[aServes, ba], [bServes, ab]]) {
        assert.deepEqual(sessionOf(serving).got.sort(), linesOf(sessionOf(offered)).sort());
        assert.deepEqual(sessionOf(serving).foreign, []);
      }
      for (const [offered, serving] of [[ab, bServes], [ba, aServes]]) {
        for (const line of linesOf(sessionOf(serving))) assert.ok(sessionOf(offered).got.includes(line), 'the answer\'s candidates reach the offer');
        // Before their offer, a candidate naming an unknown fragment may be the answer's: our
        // pending link gets it too, and it is kept for the offer (section 1).
        if (!style.candidatesFirst) assert.deepEqual(sessionOf(offered).foreign, []);
      }
    }
  });
}

test('candidates of both sessions with one peer, arriving interleaved, each go to their own link', async (t) => {
  const relay = relayFor(t);
  const a = relay.join('a');
  const b = relay.join('b');
  relay.holding = true;
  const ab = a.links.offer('b');
  const ba = b.links.offer('a');
  await turns(3);
  for (const item of relay.take((i) => i.data.type === 'offer')) relay.deliver(item); // the offers alone
  await until(() => relay.held.filter((i) => i.data.type === 'answer').length === 2, 'both answers');
  assert.equal(ab.open || ba.open, false);
  // To each: the other's offer's candidates (for the link it answers) and its answer's (for its
  // own offer), told apart here by the port of the session that sent them.
  for (const [to, offer] of [['b', ab], ['a', ba]]) {
    const mine = relay.take((i) => i.to === to);
    const port = (item) => Number(item.data.candidate.candidate.split(' ')[5]);
    const ofOffer = mine.filter((i) => i.data.type === 'candidate' && port(i) === sessionOf(offer).port);
    const ofAnswer = mine.filter((i) => i.data.type === 'candidate' && port(i) !== sessionOf(offer).port);
    const theAnswer = mine.find((i) => i.data.type === 'answer');
    assert.equal(ofOffer.length, 2);
    assert.equal(ofAnswer.length, 2);
    // One of the answer's candidates ahead of the answer, then the two sessions' in turn.
    for (const item of [ofAnswer[0], theAnswer, ofOffer[0], ofAnswer[1], ofOffer[1]]) relay.deliver(item);
  }
  relay.holding = false;
  await until(() => ab.open && ba.open && a.answered.length === 1 && b.answered.length === 1 && a.answered[0].open && b.answered[0].open, 'all four links open');
  const [aServes, bServes] = [a.answered[0], b.answered[0]];
  for (const [offered, serving] of [[ab, bServes], [ba, aServes]]) {
    assert.equal(sessionOf(offered).partner, sessionOf(serving));
    assert.deepEqual(sessionOf(serving).got.sort(), linesOf(sessionOf(offered)).sort(), 'the answering session got its offer\'s candidates');
    assert.deepEqual(sessionOf(offered).got.sort(), linesOf(sessionOf(serving)).sort(), 'the offering session got its answer\'s candidates');
    assert.deepEqual(sessionOf(serving).foreign, []);
    assert.deepEqual(sessionOf(offered).foreign, []);
  }
});

test('a refusal closes the link this side offered; the link it answered with that peer stays and serves', async (t) => {
  const relay = relayFor(t);
  const a = relay.join('a', { holderLimits: { ...ONE_LINK, maxLinks: 0 } }); // a page with no room to serve
  const b = relay.join('b');
  const ab = a.links.offer('b');
  await until(() => ab.open && b.answered.length === 1 && b.answered[0].open, "a's link to b open at both ends");
  const bServes = b.answered[0];
  relay.holding = true;
  const ba = b.links.offer('a');
  await turns(3);
  // A refusal naming another offer's fragment (here the one b answered) is not about b's offer.
  b.links.onSignal('a', { type: 'refused', reason: 'busy', ufrag: sessionOf(bServes).remoteUfrag });
  assert.equal(ba.closed, false, 'a refusal of another offer leaves ours pending');
  assert.equal(bServes.closed, false, "b's own offer leaves the link it answered alone");
  relay.release();
  await assert.rejects(ba.opened, /refused by the peer: busy/);
  const refusal = relay.sent.find((i) => i.from === 'a' && i.data.type === 'refused');
  assert.equal(refusal.data.ufrag, sessionOf(ba).ufrag, "the refusal names b's offer");
  await turns(5);
  assert.equal(bServes.closed, false, 'the answered link stays');
  assert.equal(b.links.answeredLink('a'), bServes);
  assert.equal(b.links.openLink('a'), null);
  assert.equal(b.links.openingLink('a'), null);
  await ab.send(Buffer.from('still served'));
  await until(() => bServes.received.length === 1, 'the request over the answered link');
  assert.deepEqual(bServes.received, ['still served']);
});

test('answers go to the link this side offered, never to the one it answered', async (t) => {
  const relay = relayFor(t);
  const { a, ab, aServes } = await crossed(relay);
  // A stray answer (a late copy) for the open link a offered is ignored; the answered link never takes one.
  a.links.onSignal('b', { type: 'answer', sdp: 'v=0\r\na=ice-ufrag:late\r\n' });
  await turns(3);
  assert.equal(ab.closed, false);
  assert.equal(aServes.closed, false);
  assert.equal(a.links.size, 2);
});

test('a new offer from the peer replaces the link this side answered, not the one it offered', async (t) => {
  const relay = relayFor(t);
  const { a, b, ab, aServes } = await crossed(relay);
  const again = b.links.offer('a'); // b's first link goes; a answers the new offer
  await until(() => again.open && a.answered.length === 2 && a.answered[1].open, 'the new link open at both ends');
  assert.equal(aServes.closed, true);
  assert.equal(aServes.closeReason, "replaced by the peer's new offer");
  assert.equal(ab.closed, false, "a's own link stays");
  assert.equal(a.links.openLink('b'), ab);
  assert.equal(a.links.answeredLink('b'), a.answered[1]);
});

test('idle links close by direction: the one this side offered after its time, the one it answered after its own', async (t) => {
  const relay = relayFor(t);
  const { a, ab, ba, aServes } = await crossed(relay, { idleMs: { offered: 20, answered: 60000 } }, { idleMs: { offered: 60000, answered: 60000 } });
  await until(() => ab.closed, "a's idle offered link closed", 3000);
  assert.match(ab.closeReason, /^idle for/);
  assert.equal(aServes.closed, false, 'the link a answered keeps its own, longer idle time');
  await ba.send(Buffer.from('b still fetches'));
  await until(() => aServes.received.length === 1, 'the request');
  assert.equal(a.links.size, 1);
});

test('a peer that left the signaling server takes both links with it', async (t) => {
  const relay = relayFor(t);
  const { a, ab, aServes } = await crossed(relay);
  const events = [];
  a.links.onEvent = (e) => events.push(e);
  a.links.onPeerGone('b');
  assert.equal(ab.closed, true);
  assert.equal(aServes.closed, true);
  assert.equal(a.links.size, 0);
  assert.deepEqual(events.map((e) => [e.type, e.initiator]).sort(), [['unlinked', false], ['unlinked', true]]);
});
