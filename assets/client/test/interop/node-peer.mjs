// A Node peer running the client's own code (simple-peer on node-datachannel, PouchDB in memory,
// ws for the WebSocket), driven by the Java interop tests (io.swarmkeeper.client.NodeClientTest).
// Prints one JSON line per result on stdout; everything else goes to stderr.
//
//   node test/interop/node-peer.mjs fetch --server WS --get ID[=URL] [--get ID[=URL]]...
//       fetches each, prints {"event":"fetched","id","bytes","source","verified":true} or
//       {"event":"failed","id","error"}, and {"event":"distrust",…} as peers are distrusted; exits 0.
//   node test/interop/node-peer.mjs hold --server WS --get ID=URL
//       fetches each (from its origin), keeps it, prints {"event":"holding","peer":ID,…} once the
//       server was told, serves peers until its standard input closes, then prints
//       {"event":"uploads",…} and exits.

import WebSocket from 'ws';
import memory from 'pouchdb-adapter-memory';
import { start } from '../../src/index.js';
import { wrtc } from '../../node/wrtc.js';

const [mode, ...rest] = process.argv.slice(2);
let server = null;
const wanted = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--server') server = rest[++i];
  else if (rest[i] === '--get') {
    const [id, ...url] = rest[++i].split('=');
    wanted.push({ id, url: url.length ? url.join('=') : null });
  } else {
    console.error('unknown argument ' + rest[i]);
    process.exit(2);
  }
}
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const sk = start({ server, WebSocket, wrtc, pouch: memory, cache: { name: 'node-peer-' + process.pid }, log: (m) => console.error('client: ' + m) });
sk.on('distrust', (e) => say({ event: 'distrust', ...e }));
sk.on('link', (e) => console.error('link: ' + JSON.stringify(e)));
sk.on('upload', (e) => console.error('upload: ' + JSON.stringify(e)));

async function fetchAll() {
  const results = [];
  for (const w of wanted) {
    try {
      const r = await sk.fetch(w.url, w.id);
      const bytes = new Uint8Array(await r.blob.arrayBuffer());
      results.push(r);
      say({ event: 'fetched', id: r.id, bytes: r.bytes, blobBytes: bytes.length, source: r.source, verified: true });
    } catch (e) {
      say({ event: 'failed', id: w.id, error: e.message });
    }
  }
  return results;
}

if (mode === 'fetch') {
  await fetchAll();
  await sk.close();
  process.exit(0);
} else if (mode === 'hold') {
  await sk.ready;
  await fetchAll();
  // `have` went when each was kept; the Java side waits for the server to list this peer.
  say({ event: 'holding', peer: sk.stats().peerId });
  process.stdin.resume();
  process.stdin.on('end', async () => {
    const s = sk.stats();
    say({ event: 'uploads', bytes: s.uploads.bytes, served: s.uploads.served });
    await sk.close();
    process.exit(0);
  });
} else {
  console.error('usage: node-peer.mjs fetch|hold --server WS --get ID[=URL]...');
  process.exit(2);
}
