// The transfer codec against the golden hex files of src/test/resources/golden/transfer/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as codec from '../../src/codec.js';
import { goldenHex, goldenNames, hex, unhex } from './golden.js';

const ID = '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7';
const utf8 = (s) => new TextEncoder().encode(s);

const expected = {
  'request.hex': { type: codec.REQUEST, requestId: 7, offset: 0, length: -1, id: ID },
  'response.hex': { type: codec.RESPONSE, requestId: 7, totalSize: 3, offset: 0, length: 3 },
  'chunk.hex': { type: codec.CHUNK, requestId: 7, offset: 0, data: utf8('abc') },
  'end.hex': { type: codec.END, requestId: 7 },
  'not-found.hex': { type: codec.NOT_FOUND, requestId: 7 },
  'error.hex': { type: codec.ERROR, requestId: 7, code: 4, message: 'no free upload slot' },
  'error-unsupported-version.hex': { type: codec.ERROR, requestId: 7, code: 5, message: 'swarmkeeper/1' },
  'cancel.hex': { type: codec.CANCEL, requestId: 7 },
  'hashes.hex': { type: codec.HASHES, requestId: 7, firstPiece: 2, pieces: [unhex('11'.repeat(32)), unhex('22'.repeat(32))], proof: [unhex('33'.repeat(32))] },
};

test('every golden transfer message is covered', () => {
  const files = goldenNames('transfer').filter((n) => n.endsWith('.hex')).sort();
  assert.deepEqual(files, Object.keys(expected).sort());
});

for (const [file, message] of Object.entries(expected)) {
  test(`${file}: encodes byte for byte and decodes back`, () => {
    const golden = goldenHex(file);
    assert.equal(hex(codec.encode(message)), hex(golden));
    const decoded = codec.decode(golden);
    assert.deepEqual(normalize(decoded), normalize(message));
  });
}

function normalize(m) {
  const out = { ...m };
  for (const k of ['data']) if (out[k]) out[k] = hex(out[k]);
  for (const k of ['pieces', 'proof']) if (out[k]) out[k] = out[k].map(hex);
  return out;
}

test('a truncated message, stray bytes, an unknown type and a negative offset are violations', () => {
  const request = goldenHex('request.hex');
  assert.throws(() => codec.decode(request.subarray(0, 30)), codec.ProtocolViolation);
  assert.throws(() => codec.decode(new Uint8Array([...goldenHex('end.hex'), 0])), /stray/);
  assert.throws(() => codec.decode(new Uint8Array([0x09, 0, 0, 0, 1])), /unknown message type 0x9/);
  assert.throws(() => codec.decode(new Uint8Array([0x04, 0, 0])), /truncated/);
  const negative = request.slice();
  negative[5] = 0x80;
  assert.throws(() => codec.decode(negative), /negative offset/);
  const tooLong = new Uint8Array(codec.MAX_MESSAGE_BYTES + 1);
  tooLong[0] = codec.CHUNK;
  assert.throws(() => codec.decode(tooLong), /exceeds/);
});

test('a RESPONSE whose range lies beyond its size is a violation', () => {
  const bad = codec.encode({ type: codec.RESPONSE, requestId: 1, totalSize: 3, offset: 2, length: 2 });
  assert.throws(() => codec.decode(bad), /inconsistent sizes/);
});

test('HASHES with no pieces, a short body or a negative first piece is a violation', () => {
  const golden = goldenHex('hashes.hex');
  const none = golden.slice(0, 11);
  none[9] = 0;
  none[10] = 0;
  assert.throws(() => codec.decode(none), /no pieces/);
  assert.throws(() => codec.decode(golden.subarray(0, golden.length - 1)), /truncated/);
  const negative = golden.slice();
  negative[5] = 0xff;
  assert.throws(() => codec.decode(negative), /negative first piece/);
});

test('an ERROR message is cut at 1024 bytes, even inside a character', () => {
  const encoded = codec.encode({ type: codec.ERROR, requestId: 1, code: 2, message: 'é'.repeat(600) });
  assert.equal(encoded.length, 5 + 2 + 1024);
});

test('a non-ASCII byte in a REQUEST id never reads as an ASCII character', () => {
  const request = goldenHex('request.hex');
  request[22] = 0xb2; // '2' with the high bit set
  assert.notEqual(codec.decode(request).id, ID);
});
