// The page's cache on PouchDB (with the memory adapter in Node): verified resources within a size
// limit, least recently used evicted first and announced as lost, kept across a reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import memory from 'pouchdb-adapter-memory';
import { Cache, adapterOf } from '../../src/cache.js';
import { parseId } from '../../src/ids.js';
import { createHash } from 'node:crypto';

const adapter = adapterOf(memory);
let n = 0;
const resource = (size, seed) => {
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i + seed) % 256);
  return { bytes, id: parseId(createHash('sha224').update(bytes).digest('hex')) };
};

test('what is put comes back byte for byte, with its type', async () => {
  const cache = await Cache.open({ adapter, name: 'c' + n++, maxBytes: 10000 });
  const r = resource(3000, 1);
  assert.equal(await cache.put(r.id, r.bytes, 'image/jpeg'), true);
  const got = await cache.get(r.id);
  assert.deepEqual(got.bytes, r.bytes);
  assert.equal(got.type, 'image/jpeg');
  assert.deepEqual(cache.ids(), [r.id.text]);
  assert.equal(await cache.get(resource(10, 9).id), null);
  await cache.destroy();
});

test('the least recently used go first when the limit is reached, and are announced as lost', async () => {
  const cache = await Cache.open({ adapter, name: 'c' + n++, maxBytes: 10000 });
  const lost = [];
  cache.onLost = (ids) => lost.push(...ids);
  const [a, b, c] = [resource(4000, 1), resource(4000, 2), resource(4000, 3)];
  await cache.put(a.id, a.bytes);
  await new Promise((r) => setTimeout(r, 5));
  await cache.put(b.id, b.bytes);
  await new Promise((r) => setTimeout(r, 5));
  await cache.get(a.id); // a is now more recent than b
  await cache.put(c.id, c.bytes);
  assert.deepEqual(lost, [b.id.text]);
  assert.equal(cache.has(b.id), false);
  assert.ok(cache.has(a.id) && cache.has(c.id));
  assert.equal(cache.total, 8000);
  assert.equal(await cache.put(resource(20000, 4).id, resource(20000, 4).bytes), false, 'larger than the whole cache: not kept');
  assert.equal(cache.total, 8000);
  await cache.destroy();
});

test('a reopened cache knows what it holds, and a smaller limit evicts at once', async () => {
  const name = 'c' + n++;
  const first = await Cache.open({ adapter, name, maxBytes: 10000 });
  const [a, b] = [resource(3000, 5), resource(3000, 6)];
  await first.put(a.id, a.bytes);
  await new Promise((r) => setTimeout(r, 5));
  await first.put(b.id, b.bytes);
  await first.close();
  const again = await Cache.open({ adapter, name, maxBytes: 10000 });
  assert.deepEqual(again.ids().sort(), [a.id.text, b.id.text].sort());
  assert.deepEqual((await again.get(b.id)).bytes, b.bytes);
  await again.close();
  const smaller = await Cache.open({ adapter, name, maxBytes: 4000 });
  assert.deepEqual(smaller.ids(), [b.id.text], 'the older one went');
  await smaller.destroy();
});
