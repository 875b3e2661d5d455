// Reading signals tolerantly, and which offers a holder answers (docs/protocol.md, section 1, signal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeCandidate, signalKind, iceUfrag, candidateUfrag } from '../../src/links.js';
import { OfferAdmission, BUSY, TOO_MANY_OFFERS } from '../../src/admission.js';

test('candidates in every form other implementations send', () => {
  const line = 'candidate:1 1 udp 2122260223 10.77.0.1 50123 typ host ufrag Jx3q';
  const expected = { type: 'candidate', candidate: { candidate: line, sdpMLineIndex: 0, sdpMid: '0' } };
  assert.deepEqual(normalizeCandidate({ type: 'candidate', candidate: { candidate: line, sdpMLineIndex: 0, sdpMid: '0' } }), expected);
  assert.deepEqual(normalizeCandidate({ type: 'candidate', candidate: { candidate: 'a=' + line, sdpMLineIndex: null, sdpMid: '0' } }), expected);
  assert.deepEqual(normalizeCandidate({ candidate: line, sdpMid: '0' }), expected);
  assert.equal(signalKind({ candidate: line, sdpMid: '0' }), 'candidate');
  assert.equal(normalizeCandidate({ type: 'candidate', candidate: { candidate: '', sdpMid: '0' } }), null, 'end of candidates');
  assert.throws(() => normalizeCandidate({ type: 'candidate', candidate: { candidate: 'typ host' } }), /not an ICE candidate/);
  assert.throws(() => normalizeCandidate({ type: 'candidate' }), /without "candidate"/);
  assert.equal(candidateUfrag(line), 'Jx3q');
  assert.equal(iceUfrag('v=0\r\na=ice-ufrag:Jx3q\r\na=ice-pwd:x\r\n'), 'Jx3q');
  assert.equal(signalKind({ type: 'refused', reason: 'busy' }), 'refused');
});

test('a holder refuses a peer that offers too often, and one whose link is still being set up', () => {
  const a = new OfferAdmission({ maxLinks: 32, maxPending: 8, offersPerPeer: 3, offerWindowMs: 10000, newLinksPerSecond: 100 }, 0);
  assert.equal(a.offer('p', [], 0).answer, true);
  const pending = [{ peer: 'p', pending: true, ageMs: 1000 }];
  assert.deepEqual(a.offer('p', pending, 1000), { answer: false, reason: TOO_MANY_OFFERS, tell: true });
  assert.equal(a.offer('p', [{ peer: 'p', pending: true, ageMs: 6000 }], 6000).answer, true, 'a link older than 5 s is replaced');
  const flood = a.offer('p', [], 6001);
  assert.equal(flood.reason, TOO_MANY_OFFERS);
  assert.equal(flood.tell, true, 'two refusals are told at once');
  assert.equal(a.offer('p', [], 6002).tell, true);
  assert.equal(a.offer('p', [], 6003).tell, false, 'then one per 5 s');
  assert.equal(a.offer('p', [], 11003).tell, true);
});

test('a holder with every link taken says busy; a flooding peer\'s pending link makes room for a newcomer', () => {
  const limits = { maxLinks: 2, maxPending: 1, offersPerPeer: 10, offerWindowMs: 10000, newLinksPerSecond: 100 };
  const a = new OfferAdmission(limits, 0);
  assert.equal(a.offer('x', [{ peer: 'y', pending: false, ageMs: 0 }, { peer: 'z', pending: false, ageMs: 0 }], 0).reason, BUSY);
  const b = new OfferAdmission(limits, 0);
  for (let i = 0; i < 4; i++) b.offer('flood', [], 0);
  const decision = b.offer('honest', [{ peer: 'flood', pending: true, ageMs: 6000 }], 1000);
  assert.deepEqual(decision, { answer: true, evict: 'flood' });
});

test('messages that arrive before the link is attached (simple-peer says connect late) reach its handler, in order', async () => {
  const { EventEmitter } = await import('node:events');
  const { Links } = await import('../../src/links.js');
  let peer;
  const links = new Links({
    signaling: { iceServers: [], send: () => true },
    createPeer: () => (peer = Object.assign(new EventEmitter(), { signal() {}, send() {}, destroy() {} })),
    onAnswered: () => {},
  });
  try {
    const link = links.offer('p');
    // The channel is open and the other side's first requests arrive while simple-peer is still
    // reading the connection's stats before it emits 'connect'.
    peer.emit('data', Uint8Array.of(1));
    peer.emit('data', Uint8Array.of(2));
    peer.emit('connect');
    const got = [];
    link.attach({ onMessage: (bytes) => got.push(bytes[0]), onClosed: () => {} });
    peer.emit('data', Uint8Array.of(3));
    assert.deepEqual(got, [1, 2, 3]);
    assert.equal(link.closed, false);

    const flooded = links.offer('q');
    for (let i = 0; i < 17; i++) peer.emit('data', Uint8Array.of(i));
    assert.equal(flooded.closed, true, 'an unattached link does not keep messages without bound');
    assert.match(flooded.closeReason, /before the link was ready/);
  } finally {
    links.closeAll();
  }
});
