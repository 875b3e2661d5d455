// The signaling messages this client writes and reads, against src/test/resources/golden/signaling/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as messages from '../../src/messages.js';
import { goldenText, goldenNames } from './golden.js';

const HASH = '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7';
const ORIGIN = 'https://example.com/listing/kitchen.jpg';

// What the client sends, built by its own functions.
const written = {
  'hello.json': () => messages.hello({ role: 'seeder' }),
  'hello-resume.json': () => messages.hello({ role: 'browser', coords: { lat: 51.5072, lon: -0.1276, accuracy: 35.0 }, resume: 'Zm9vYmFyYmF6cXV4MTIzNDU2' }),
  'have.json': () => messages.have([HASH]),
  'lost.json': () => messages.lost([HASH]),
  'want.json': () => messages.want(HASH, 3),
  'want-origin.json': () => messages.want(HASH, 4, ORIGIN),
  'cancel.json': () => messages.cancel(HASH),
  'report.json': () => messages.report('k3v9q2mx7a', HASH, 'sent bad bytes in 524288 bytes at offset 1048576'),
  'served.json': () => messages.served('k3v9q2mx7a', HASH, 524288),
  'signal-to.json': () => messages.signal('k3v9q2mx7a', { type: 'offer', sdp: 'v=0\r\n' }),
  'signal-refused.json': () => messages.signal('p7w2r8n4ce', messages.refused('busy', 'Jx3q')),
  'bye.json': () => messages.bye(),
};

// What the server sends, read by the client.
const read = ['welcome.json', 'welcome-ice.json', 'match.json', 'match-place.json', 'signal-from.json', 'signal-from-place.json', 'peer-gone.json', 'error.json', 'error-overloaded.json', 'demand.json'];

test('every golden signaling message is covered', () => {
  assert.deepEqual(goldenNames('signaling').sort(), [...Object.keys(written), ...read].sort());
});

for (const [file, build] of Object.entries(written)) {
  test(`${file}: the client writes it field for field, in the documented order`, () => {
    const golden = goldenText('signaling', file);
    const ours = JSON.stringify(build());
    assert.deepEqual(JSON.parse(ours), JSON.parse(golden));
    assert.deepEqual(Object.keys(JSON.parse(ours)), Object.keys(JSON.parse(golden)));
    // Byte for byte, but for how JSON writes 35.0 (JavaScript has no separate float form).
    assert.equal(ours, golden.replace('35.0', '35'));
  });
}

for (const file of read) {
  test(`${file}: the client reads it`, () => {
    const golden = goldenText('signaling', file);
    const m = messages.parseServerMessage(golden);
    assert.deepEqual(m, JSON.parse(golden));
  });
}

test('frames that are not JSON objects with a known type are ignored, not fatal', () => {
  assert.equal(messages.parseServerMessage('not json'), null);
  assert.equal(messages.parseServerMessage('[1,2]'), null);
  assert.equal(messages.parseServerMessage('{"type":5}'), null);
  assert.equal(messages.parseServerMessage('{"type":"from-the-future"}'), null);
  assert.deepEqual(messages.parseServerMessage('{"type":"peer-gone","id":"a","extra":1}'), { type: 'peer-gone', id: 'a', extra: 1 });
});

test('absent fields are omitted, never null', () => {
  assert.equal(JSON.stringify(messages.hello()), '{"type":"hello","version":1,"role":"browser"}');
  assert.equal(JSON.stringify(messages.report('p', null, null)), '{"type":"report","peer":"p"}');
  assert.equal(JSON.stringify(messages.want(HASH, 6, undefined)), `{"type":"want","hash":"${HASH}","count":6}`);
});
