// The holder and the requester of the transfer protocol, and a download over several holders,
// joined by an in-memory pair of links (ordered, reliable, like the data channel): ranges, HASHES
// runs checked piece by piece, the holder's refusals, and every violation a requester must catch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as codec from '../../src/codec.js';
import { TransferServer, Uploads } from '../../src/holder.js';
import { TransferClient, TransferFailed } from '../../src/requester.js';
import { SwarmDownload, Fault } from '../../src/download.js';
import { PieceTree, merkleRoot } from '../../src/merkle.js';
import { parseId, toHex } from '../../src/ids.js';

/** Two ends of a link: what one sends arrives at the other, in order, a turn later. */
function linkPair(holderProtocol = 'swarmkeeper/1') {
  const make = (peerId) => ({
    peerId,
    closed: false,
    closeReason: null,
    channelProtocol: holderProtocol,
    handler: null,
    other: null,
    async send(bytes) {
      if (this.closed) throw new Error('closed');
      const copy = bytes.slice();
      setImmediate(() => !this.other.closed && this.other.handler && this.other.handler.onMessage(copy));
      await new Promise((r) => setImmediate(r)); // a turn per message, as a channel's sender gets
    },
    trySend(bytes) {
      this.send(bytes).catch(() => {});
    },
    close(reason = 'closed') {
      if (this.closed) return;
      this.closed = true;
      this.closeReason = reason;
      this.handler && this.handler.onClosed && this.handler.onClosed(reason);
      this.other.close(reason);
    },
  });
  const requester = make('holder');
  const holder = make('requester');
  requester.other = holder;
  holder.other = requester;
  return { requester, holder };
}

const bytesOf = (size, seed) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) % 251);
const sha224Id = (bytes) => parseId(createHash('sha224').update(bytes).digest('hex'));
const mtId = (bytes) => parseId('mt256-' + toHex(merkleRoot(bytes)));

/** A holder serving `held` (id text -> bytes) on its end, optionally changing what it sends. */
function holderOn(link, held, { uploads = new Uploads({ slots: 4 }), tamper } = {}) {
  const violations = [];
  const server = new TransferServer(link, {
    source: {
      open: async (id) => {
        const bytes = held.get(id.text);
        return bytes ? { bytes, pieceTree: () => PieceTree.of(bytes) } : null;
      },
    },
    uploads,
    onViolation: (e) => {
      violations.push(e.message);
      link.close('violation');
    },
  });
  if (tamper) {
    const send = link.send.bind(link);
    link.send = (bytes) => send(tamper(codec.decode(bytes)) || bytes);
  }
  link.handler = { onMessage: (b) => server.onMessage(b), onClosed: () => server.close() };
  return { server, violations };
}

function requesterOn(link) {
  const violations = [];
  const client = new TransferClient(link, (e) => violations.push(e.message));
  link.handler = { onMessage: (b) => client.onMessage(b), onClosed: (r) => client.onClosed(r) };
  return { client, violations };
}

/** A sink that collects a single request's messages. */
function collect() {
  const got = { size: -1, hashes: [], bytes: [] };
  return {
    got,
    size: (n) => (got.size = n),
    hashes: (h) => got.hashes.push(h),
    write: (at, data) => got.bytes.push([at, data.slice()]),
  };
}

async function download(id, holders, maxBytes = 1 << 30) {
  const dropped = [];
  const d = new SwarmDownload(id, { maxBytes, onDropped: (peer, why, fault) => dropped.push({ peer, why, fault }), windowMs: 2000 });
  const noneLeft = new Promise((r) => (d.onNoSources = () => r(false)));
  for (const [peer, client] of holders) d.addSource(peer, client);
  let timer;
  const ok = await Promise.race([d.complete.then(() => true, () => false), noneLeft, new Promise((r) => (timer = setTimeout(() => r('timeout'), 5000)))]);
  clearTimeout(timer);
  d.close();
  return { d, ok, dropped };
}

test('a whole range: RESPONSE, CHUNKs of 64 KiB in order, END', async () => {
  const body = bytesOf(150000, 1);
  const id = sha224Id(body);
  const { requester, holder } = linkPair();
  holderOn(holder, new Map([[id.text, body]]));
  const { client } = requesterOn(requester);
  const sink = collect();
  const r = client.request(id.text, 0, codec.TO_END, sink);
  assert.equal(await r.done, 150000);
  assert.equal(sink.got.size, 150000);
  assert.deepEqual(sink.got.bytes.map(([at, d]) => [at, d.length]), [[0, 65536], [65536, 65536], [131072, 18928]]);
});

test('two holders share a resource in 512 KiB ranges, two at a time, and every byte arrives once', async () => {
  const body = bytesOf(1_800_000, 2);
  const id = sha224Id(body);
  const held = new Map([[id.text, body]]);
  const a = linkPair();
  const b = linkPair();
  holderOn(a.holder, held);
  holderOn(b.holder, held);
  const { d, ok, dropped } = await download(id, [['A', requesterOn(a.requester).client], ['B', requesterOn(b.requester).client]]);
  assert.equal(ok, true, JSON.stringify(dropped));
  assert.deepEqual(d.bytes, body);
  assert.deepEqual(d.senders().sort(), ['A', 'B']);
  assert.equal([...d.bytesBySender().values()].reduce((x, y) => x + y), body.length, 'no byte twice');
});

test('an mt256- resource is checked piece by piece with HASHES runs and proofs', async () => {
  const body = bytesOf(3 * 1024 * 1024 + 5000, 3); // 49 pieces, padded to 64
  const id = mtId(body);
  const { requester, holder } = linkPair();
  holderOn(holder, new Map([[id.text, body]]));
  const { client } = requesterOn(requester);
  const sink = collect();
  const r = client.request(id.text, 0, codec.TO_END, sink);
  await r.done;
  assert.deepEqual(sink.got.hashes.map((h) => [h.firstPiece, h.pieces.length]), [0, 8, 16, 24, 32, 40, 48].map((f) => [f, f === 48 ? 1 : 8]));
  const { d, ok } = await download(id, [['A', requesterOn(linkPairWith(id, body)).client]]);
  assert.equal(ok, true);
  assert.deepEqual(d.bytes, body);
});

function linkPairWith(id, body, options) {
  const p = linkPair();
  holderOn(p.holder, new Map([[id.text, body]]), options);
  return p.requester;
}

test('a holder that sends a bad piece is dropped for bad bytes, and another sends from that piece on', async () => {
  const body = bytesOf(1_200_000, 4);
  const id = mtId(body);
  const flip = (m) => {
    if (m.type === codec.CHUNK && m.offset === 524288 + 65536) {
      const data = m.data.slice();
      data[10] ^= 1;
      return codec.encode({ ...m, data });
    }
    return null;
  };
  const liar = linkPairWith(id, body, { tamper: flip });
  const honest = linkPairWith(id, body);
  const { d, ok, dropped } = await download(id, [['liar', requesterOn(liar).client], ['honest', requesterOn(honest).client]]);
  assert.equal(ok, true);
  assert.deepEqual(d.bytes, body);
  assert.deepEqual(dropped.map((x) => [x.peer, x.fault]), [['liar', Fault.BAD_BYTES]]);
  assert.match(dropped[0].why, /bad piece: 65536 bytes at 589824/);
});

test('forged piece hashes are a violation: they do not lead to the root', async () => {
  const body = bytesOf(300_000, 5);
  const id = mtId(body);
  const forge = (m) => {
    if (m.type !== codec.HASHES) return null;
    const pieces = m.pieces.map((p) => p.slice());
    pieces[0][0] ^= 1;
    return codec.encode({ ...m, pieces });
  };
  const { ok, dropped } = await download(id, [['forger', requesterOn(linkPairWith(id, body, { tamper: forge })).client]]);
  assert.equal(ok, false);
  assert.equal(dropped[0].fault, Fault.VIOLATION);
  assert.match(dropped[0].why, /do not lead to the resource's root/);
});

for (const [name, tamper, expected] of [
  ['a chunk at the wrong offset', (m) => (m.type === codec.CHUNK ? codec.encode({ ...m, offset: m.offset + 1 }) : null), /chunk at offset 1, expected 0/],
  ['more bytes than asked', (m) => (m.type === codec.RESPONSE ? codec.encode({ ...m, totalSize: m.totalSize, length: m.length }) : m.type === codec.END ? codec.encode({ type: codec.CHUNK, requestId: m.requestId, offset: 100000, data: new Uint8Array(5) }) : null), /more bytes than asked/],
  ['an answer for another range', (m) => (m.type === codec.RESPONSE ? codec.encode({ ...m, offset: 1, length: m.length - 1 }) : null), /got an answer for/],
  ['END before every byte', (m) => (m.type === codec.CHUNK && m.offset > 0 ? codec.encode({ type: codec.END, requestId: m.requestId }) : null), /end after 65536 of 100000 bytes/],
  ['an empty chunk', (m) => (m.type === codec.CHUNK ? codec.encode({ ...m, data: new Uint8Array(0) }) : null), /empty chunk/],
  ['a chunk before the response', (m) => (m.type === codec.RESPONSE ? codec.encode({ type: codec.CHUNK, requestId: m.requestId, offset: 0, data: new Uint8Array(1) }) : null), /chunk before response/],
  ['HASHES for an id that is not a Merkle root', (m) => (m.type === codec.RESPONSE ? codec.encode({ type: codec.HASHES, requestId: m.requestId, firstPiece: 0, pieces: [new Uint8Array(32)], proof: [] }) : null), /hashes before the response|not a Merkle root/],
]) {
  test(`the requester catches ${name}`, async () => {
    const body = bytesOf(100000, 6);
    const id = sha224Id(body);
    const { requester, holder } = linkPair();
    holderOn(holder, new Map([[id.text, body]]), { tamper });
    const { client, violations } = requesterOn(requester);
    const r = client.request(id.text, 0, codec.TO_END, collect());
    await assert.rejects(r.done, codec.ProtocolViolation);
    assert.match(violations[0], expected);
  });
}

test('the holder answers NOT_FOUND, ERROR 3 beyond the size, ERROR 1 for a misaligned mt256- range and serves on', async () => {
  const body = bytesOf(200000, 7);
  const id = mtId(body);
  const { requester, holder } = linkPair();
  holderOn(holder, new Map([[id.text, body]]));
  const { client } = requesterOn(requester);
  await assert.rejects(client.request(sha224Id(body).text, 0, -1, collect()).done, (e) => e instanceof TransferFailed && /does not hold/.test(e.message));
  await assert.rejects(client.request(id.text, 200001, -1, collect()).done, (e) => e.code === 3);
  await assert.rejects(client.request(id.text, 1000, -1, collect()).done, (e) => e.code === 1 && /offset 1000 is not a piece boundary/.test(e.message));
  await assert.rejects(client.request(id.text, 0, 1000, collect()).done, (e) => e.code === 1 && /end 1000 is not a piece boundary/.test(e.message));
  const empty = collect();
  assert.equal(await client.request(id.text, 196608, 0, empty).done, 0, 'an empty range at a piece boundary: RESPONSE then END');
  assert.equal(empty.got.size, 200000);
  // As the Java holder does (content.PieceTree rule in TransferServer.misaligned): an offset equal to
  // a size that is not a piece multiple is refused too, whatever docs/protocol.md says of "the end".
  await assert.rejects(client.request(id.text, 200000, -1, collect()).done, (e) => e.code === 1);
  assert.equal(await client.request(id.text, 65536, 65536, collect()).done, 65536, 'the link serves on');
});

test('a third request at once on one link, or one beyond the page\'s upload slots, is answered busy', async () => {
  const body = bytesOf(2_000_000, 8);
  const id = sha224Id(body);
  const uploads = new Uploads({ slots: 2 });
  const { requester, holder } = linkPair();
  holderOn(holder, new Map([[id.text, body]]), { uploads });
  const { client } = requesterOn(requester);
  client.maxInFlight = 3; // a requester that does not keep to two per link
  const first = client.request(id.text, 0, -1, collect());
  const second = client.request(id.text, 0, -1, collect());
  const third = client.request(id.text, 0, -1, collect());
  await assert.rejects(third.done, (e) => e.code === 4 && /at most 2 requests at once/.test(e.message));
  const other = linkPair();
  holderOn(other.holder, new Map([[id.text, body]]), { uploads });
  const fourth = requesterOn(other.requester).client.request(id.text, 0, -1, collect());
  await assert.rejects(fourth.done, (e) => e.code === 4 && /no free upload slot/.test(e.message));
  await Promise.all([first.done, second.done]);
  await new Promise((r) => setTimeout(r, 20)); // the holder frees its slots once END is written
  assert.equal(uploads.active, 0);
  assert.equal(uploads.bytes, 2 * body.length);
});

test('a requester keeps two requests at once on a link; the others wait their turn and all complete', async () => {
  const body = bytesOf(1_500_000, 11);
  const id = sha224Id(body);
  const { requester, holder } = linkPair();
  holderOn(holder, new Map([[id.text, body]]), { uploads: new Uploads({ slots: 8 }) });
  const { client } = requesterOn(requester);
  const all = [];
  let most = 0;
  for (let i = 0; i < 6; i++) {
    all.push(client.request(id.text, i * 250_000, 250_000, collect()));
    most = Math.max(most, client.requests.size);
  }
  assert.equal(client.requests.size, 2, 'two sent');
  assert.equal(client.waiting.length, 4, 'four waiting, unsent');
  const got = await Promise.all(all.map((r) => r.done));
  assert.deepEqual(got, [250_000, 250_000, 250_000, 250_000, 250_000, 250_000]);
  assert.ok(most <= 2);
});

test('a holder that does not speak the channel\'s version answers every message ERROR 5 and serves nothing', async () => {
  const body = bytesOf(1000, 9);
  const id = sha224Id(body);
  const { requester, holder } = linkPair('swarmkeeper/2');
  holderOn(holder, new Map([[id.text, body]]));
  const { client } = requesterOn(requester);
  await assert.rejects(client.request(id.text, 0, -1, collect()).done, (e) => e.code === 5 && /it speaks swarmkeeper\/1/.test(e.message));
});

test('a requester that sends what only holders send, or reuses a running request id, loses its link', async () => {
  const body = bytesOf(3_000_000, 10);
  const id = sha224Id(body);
  const { requester, holder } = linkPair();
  const { violations } = holderOn(holder, new Map([[id.text, body]]));
  requester.handler = { onMessage() {} };
  await requester.send(codec.encode({ type: codec.REQUEST, requestId: 5, offset: 0, length: -1, id: id.text }));
  await requester.send(codec.encode({ type: codec.REQUEST, requestId: 5, offset: 0, length: -1, id: id.text }));
  await new Promise((r) => setTimeout(r, 50));
  assert.match(violations[0], /request id 5 is already in use/);
  assert.equal(holder.closed, true);
  const other = linkPair();
  const second = holderOn(other.holder, new Map());
  other.requester.handler = { onMessage() {} };
  await other.requester.send(codec.encode({ type: codec.END, requestId: 1 }));
  await new Promise((r) => setTimeout(r, 20));
  assert.match(second.violations[0], /a requester may not send END/);
});

test('after CANCEL the holder sends nothing more for the request and frees its place', async () => {
  const body = bytesOf(4_000_000, 11);
  const id = sha224Id(body);
  const uploads = new Uploads({ slots: 4 });
  const { requester, holder } = linkPair();
  holderOn(holder, new Map([[id.text, body]]), { uploads });
  const seen = [];
  const { client } = requesterOn(requester);
  const onMessage = requester.handler.onMessage;
  requester.handler.onMessage = (b) => {
    seen.push(codec.decode(b).type);
    onMessage(b);
  };
  const sink = collect();
  let r = null;
  const write = sink.write;
  sink.write = (at, data) => {
    write(at, data);
    if (at === 0) client.cancel(r); // cancelled as the first bytes arrive
  };
  r = client.request(id.text, 0, -1, sink);
  await assert.rejects(r.done, /cancelled/);
  for (let i = 0; i < 200 && uploads.active > 0; i++) await new Promise((res) => setTimeout(res, 10));
  assert.equal(uploads.active, 0, 'its slot is free');
  const after = seen.length;
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(seen.length, after, 'nothing more came once the holder stopped');
  assert.equal(seen.includes(codec.END), false);
  assert.ok(uploads.bytes < body.length);
});
