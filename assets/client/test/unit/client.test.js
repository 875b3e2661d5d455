// The page API without peers, against a real HTTP origin on loopback: verified bytes from the
// origin, then from the cache; an origin whose bytes fail the hash is an error the page sees; a
// signaling server that is down costs the page nothing; listings and declarative elements show
// only verified bytes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import memory from 'pouchdb-adapter-memory';
import { start } from '../../src/index.js';

const files = new Map();
const hits = new Map();
const origin = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  hits.set(path, (hits.get(path) || 0) + 1);
  const body = files.get(path);
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'image/jpeg', 'access-control-allow-origin': '*' });
  res.end(body);
});
await new Promise((r) => origin.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${origin.address().port}`;
after(() => origin.close());

const bytesOf = (size, seed) => Buffer.from(Uint8Array.from({ length: size }, (_, i) => (i * 13 + seed) % 256));
const sha224 = (b) => createHash('sha224').update(b).digest('hex');
let dbs = 0;
const client = (options = {}) => start({ pouch: memory, cache: { name: 'client-test-' + dbs++ }, ...options });

test('from the origin, verified, then from the cache without asking the origin again', async () => {
  const body = bytesOf(300_000, 1);
  files.set('/a.jpg', body);
  const sk = client();
  const events = [];
  sk.on('resource', (e) => events.push(e));
  const first = await sk.fetch(base + '/a.jpg', sha224(body));
  assert.equal(first.source, 'origin');
  assert.equal(first.bytes, body.length);
  assert.deepEqual(Buffer.from(await first.blob.arrayBuffer()), body);
  assert.equal(first.blob.type, 'image/jpeg');
  const second = await sk.fetch(base + '/a.jpg', sha224(body).toUpperCase());
  assert.equal(second.source, 'cache');
  assert.deepEqual(Buffer.from(await second.blob.arrayBuffer()), body);
  assert.equal(hits.get('/a.jpg'), 1);
  assert.deepEqual(events.map((e) => [e.source, e.verified, e.bytes]), [['origin', true, body.length], ['cache', true, body.length]]);
  assert.equal(sk.stats().cache.entries, 1);
  await sk.close();
});

test('bytes that fail the hash from the origin too are an error the page sees, and nothing is kept', async () => {
  const body = bytesOf(1000, 2);
  files.set('/b.jpg', body);
  const sk = client();
  const events = [];
  sk.on('resource', (e) => events.push(e));
  const wrong = sha224(bytesOf(1000, 3));
  await assert.rejects(sk.fetch(base + '/b.jpg', wrong), /origin .*b\.jpg sent bytes that failed the hash: expected [0-9a-f]{56}, got [0-9a-f]{56}/);
  assert.equal(events[0].verified, false);
  assert.equal(sk.stats().cache.entries, 0);
  await assert.rejects(sk.fetch(base + '/missing.jpg', wrong), /answered 404/);
  await assert.rejects(sk.fetch(base + '/b.jpg', 'not-a-hash'), /not a resource id/);
  await sk.close();
});

test('concurrent fetches of one resource share one download', async () => {
  const body = bytesOf(50_000, 4);
  files.set('/c.jpg', body);
  const sk = client({ cache: false });
  const [x, y] = await Promise.all([sk.fetch(base + '/c.jpg', sha224(body)), sk.fetch(base + '/c.jpg', sha224(body))]);
  assert.equal(x, y);
  assert.equal(hits.get('/c.jpg'), 1);
  await sk.close();
});

test('a signaling server that is down: everything from the origin, no error', async () => {
  const body = bytesOf(20_000, 5);
  files.set('/d.jpg', body);
  const closed = http.createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const port = closed.address().port;
  await new Promise((r) => closed.close(r));
  // Node has no WebRTC of its own: a stand-in that is never used, so the client tries the server.
  const sk = client({ server: `ws://127.0.0.1:${port}`, WebSocket, wrtc: {} });
  const r = await sk.fetch(base + '/d.jpg', sha224(body));
  assert.equal(r.source, 'origin');
  assert.equal(sk.stats().connected, false);
  await sk.close();
});

test('without WebRTC the client does not even connect, and still loads everything', async () => {
  const body = bytesOf(20_000, 6);
  files.set('/e.jpg', body);
  const sk = client({ server: 'ws://127.0.0.1:9', WebSocket });
  assert.equal(sk.stats().peersUsable, false);
  assert.equal((await sk.fetch(base + '/e.jpg', sha224(body))).source, 'origin');
  await sk.close();
});

test('a listing: every item with img beside img_hash gets an object URL of verified bytes, or an error', async () => {
  const good = bytesOf(40_000, 7);
  const other = bytesOf(40_000, 8);
  files.set('/listing/good.jpg', good);
  files.set('/listing/bad.jpg', other);
  files.set('/listing.json', Buffer.from(JSON.stringify({
    listing: { title: 'flat', photos: [
      { img: 'listing/good.jpg', img_hash: sha224(good), caption: 'good' },
      { img: 'listing/bad.jpg', img_hash: sha224(bytesOf(40_000, 99)), caption: 'tampered at the origin' },
    ] },
  })));
  const sk = client();
  const items = await sk.loadListing(base + '/listing.json');
  assert.equal(items.length, 2);
  assert.equal(items[0].caption, 'good');
  assert.equal(items[0].source, 'origin');
  assert.match(items[0].objectUrl, /^blob:/);
  assert.equal(items[1].objectUrl, undefined, 'no object URL for bytes that failed');
  assert.match(items[1].error, /failed the hash/);
  await sk.close();
});

test('elements get src only once verified; a failure is in data-swarm-error', async () => {
  const body = bytesOf(10_000, 9);
  files.set('/f.jpg', body);
  const element = (src, hash) => ({ tagName: 'IMG', dataset: { swarmSrc: src, swarmHash: hash } });
  const ok = element(base + '/f.jpg', sha224(body));
  const bad = element(base + '/f.jpg', sha224(bytesOf(10, 1)));
  const noHash = element(base + '/f.jpg', undefined);
  const root = { querySelectorAll: (selector) => (selector === '[data-swarm-src]' ? [ok, bad, noHash] : []) };
  const sk = client();
  await sk.scan(root);
  assert.match(ok.src, /^blob:/);
  assert.equal(ok.dataset.swarmSource, 'origin');
  assert.equal(bad.src, undefined);
  assert.match(bad.dataset.swarmError, /failed the hash/);
  assert.match(noHash.dataset.swarmError, /no data-swarm-hash/);
  await sk.scan(root); // done elements are not loaded again
  assert.equal(hits.get('/f.jpg'), 2);
  await sk.close();
});

test('have and lost are cut to the server\'s hashes per message and frame size', async () => {
  const { batches } = await import('../../src/client.js');
  const sri = Array.from({ length: 1500 }, (_, i) => 'sha512-' + createHash('sha512').update(String(i)).digest('base64'));
  const cut = batches(sri, { maxHashesPerMessage: 1000, maxFrameBytes: 65536 });
  assert.deepEqual(cut.flat(), sri, 'every id once, in order');
  for (const b of cut) {
    assert.ok(b.length <= 1000);
    assert.ok(JSON.stringify({ type: 'have', hashes: b }).length <= 65536);
  }
  assert.ok(cut.length >= 3, 'a thousand sha512- ids do not fit one 64 KiB frame');
  assert.deepEqual(batches(['a', 'b', 'c'], { maxHashesPerMessage: 2 }), [['a', 'b'], ['c']]);
});

test('a page that goes away says bye at once and closes its links; shown again from the back-forward cache, it connects again', async () => {
  const { WebSocketServer } = await import('ws');
  const connections = [];
  const wss = await new Promise((resolve) => {
    const s = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(s));
    s.on('connection', (socket) => {
      const c = { received: [], closeCode: null };
      connections.push(c);
      socket.on('message', (data) => {
        const m = JSON.parse(data.toString());
        c.received.push(m);
        if (m.type === 'hello') socket.send(JSON.stringify({ type: 'welcome', id: 'p' + connections.length, resume: 'R' + connections.length, resumed: false, iceServers: [], limits: { maxMessagesPerSecond: 50, messageBurst: 200 } }));
      });
      socket.on('close', (code) => (c.closeCode = code));
    });
  });
  const until = async (what, check) => {
    const end = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out waiting for ' + what);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const page = new EventTarget(); // the window's page lifecycle events
  // Node has no WebRTC of its own: a stand-in that is never used, so the client connects.
  const sk = client({ server: `ws://127.0.0.1:${wss.address().port}`, WebSocket, wrtc: {}, page, cache: false });
  const seen = [];
  sk.on('connected', (e) => seen.push(['connected', e.id, e.resumed]));
  sk.on('disconnected', (e) => seen.push(['disconnected', e.reason, e.retryInMs]));
  await until('the welcome', () => sk.stats().connected);
  sk.links.offer('q'); // a link being set up with a peer: it goes with the page
  assert.equal(sk.stats().linksOffered, 1);

  page.dispatchEvent(new Event('pagehide'));
  await until('the close', () => connections[0].closeCode !== null);
  assert.deepEqual(connections[0].received.map((m) => m.type), ['hello', 'bye'], 'bye, said before the socket closed');
  assert.equal(connections[0].closeCode, 1000);
  assert.equal(sk.stats().connected, false);
  assert.equal(sk.stats().links, 0, 'its links closed');
  assert.deepEqual(seen, [['connected', 'p1', false], ['disconnected', 'the page was hidden', null]]);

  page.dispatchEvent(new Event('pageshow')); // a first showing (not from the cache): nothing to do
  await new Promise((r) => setTimeout(r, 700)); // longer than a reconnection's first back-off
  assert.equal(connections.length, 1, 'no reconnection while hidden');

  page.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
  await until('the second welcome', () => sk.stats().connected);
  assert.equal(connections.length, 2);
  assert.deepEqual(connections[1].received[0], { type: 'hello', version: 1, role: 'browser', resume: 'R1' });
  await sk.close();
  await until('the last close', () => connections[1].closeCode !== null);
  assert.deepEqual(connections[1].received.map((m) => m.type), ['hello', 'bye']);
  page.dispatchEvent(new Event('pagehide')); // after close(): no longer listened to
  wss.close();
});
