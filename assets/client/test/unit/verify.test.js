// Resource ids and whole-resource checks: SHA-224 with js-sha256 (incrementally), SRI forms with
// WebCrypto, mt256- with the Merkle tree; Node's own crypto is the reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseId, isValidId } from '../../src/ids.js';
import { matches, digestFor, StreamingDigest, describeDigest } from '../../src/verify.js';

const abc = new TextEncoder().encode('abc');
const big = Uint8Array.from({ length: 9 * 1024 * 1024 + 7 }, (_, i) => (i * 31) % 256); // more than two 4 MiB slices

test('SHA-224 of "abc" is the id in docs/protocol.md', async () => {
  const id = parseId('23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7');
  assert.equal(id.text, '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7');
  assert.equal(id.algorithm, 'sha224');
  assert.ok(await matches(id, abc));
  assert.equal(await matches(id, new TextEncoder().encode('abd')), false);
});

test('SHA-224 of a resource larger than a slice, hashed in slices and as a stream, is the one-shot hash', async () => {
  const expected = createHash('sha224').update(big).digest('hex');
  const id = parseId(expected);
  assert.ok(await matches(id, big));
  const stream = new StreamingDigest(id);
  for (let at = 0; at < big.length; at += 100000) stream.update(big.subarray(at, at + 100000));
  assert.equal(Buffer.from(await stream.digest(null)).toString('hex'), expected);
});

for (const alg of ['sha256', 'sha384', 'sha512']) {
  test(`SRI ${alg}- ids are checked with WebCrypto, in every accepted spelling`, async () => {
    const digest = createHash(alg).update(big).digest();
    const standard = `${alg}-${digest.toString('base64')}`;
    const id = parseId(standard);
    assert.equal(id.text, standard);
    assert.ok(await matches(id, big));
    const tampered = big.slice();
    tampered[12345] ^= 1;
    assert.equal(await matches(id, tampered), false);
    const urlSafe = `${alg.toUpperCase()}-${digest.toString('base64url')}?ct=image/png`;
    assert.equal(parseId(urlSafe).text, standard, 'base64url, no padding, options and an upper-case prefix name the same id');
  });
}

test('mt256- ids are checked over the Merkle tree', async () => {
  const id = parseId('mt256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.ok(await matches(id, new Uint8Array(0)));
  assert.equal(await matches(id, abc), false);
});

test('ids that do not parse say why', () => {
  assert.throws(() => parseId('abc'), /56 hex characters/);
  assert.throws(() => parseId('md5-xxxx'), /unknown hash "md5"/);
  assert.throws(() => parseId('sha256-!!!'), /not valid base64/);
  assert.throws(() => parseId('sha256-' + Buffer.alloc(20).toString('base64')), /a sha256 digest is 32 bytes/);
  assert.throws(() => parseId('mt256-abc'), /64 hex characters/);
  assert.throws(() => parseId(''), /empty/);
  assert.throws(() => parseId(undefined), /missing/);
  assert.equal(isValidId('z'.repeat(56)), false);
});

test('a digest that arrived instead is named in the id\'s own terms', async () => {
  const id = parseId('23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7');
  const got = await digestFor(id, new Uint8Array([1]));
  assert.match(describeDigest(id, got), /^[0-9a-f]{56}$/);
});
