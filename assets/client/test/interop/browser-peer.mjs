// Pages in headless Chromium (Debian's, driven by playwright-core) that load the built bundle
// dist/swarmkeeper.js, for the Java interop test of the bundle (io.swarmkeeper.client.BrowserBundleTest).
// It builds the bundle first, serves a blank page and the bundle from 127.0.0.1 (a secure
// context), and then takes one JSON command a line on standard input:
//   {"cmd":"open","page":P,"server":WS}            a new page (its own profile: its own IndexedDB) that starts a client
//   {"cmd":"fetch","page":P,"id":ID,"url":URL?,"tag":T?}  sk.fetch in page P → {"event":"fetched",page,id,bytes,source,millis,tag} or {"event":"failed",…}
//   {"cmd":"scan","page":P,"id":ID,"url":URL}      an <img data-swarm-src data-swarm-hash> and sk.scan → {"event":"scanned",page,source,error,src}
//   {"cmd":"stats","page":P}                       sk.stats() → {"event":"stats",page,stats}
//   {"cmd":"reload","page":P}                      reloads the page (same profile) and starts a client again → {"event":"reloaded",page,peer}
//   {"cmd":"quit"}
// and prints one JSON line per answer on standard output. Run inside the test namespace.

import { chromium } from 'playwright-core';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
execFileSync(process.execPath, [join(root, 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const bundle = readFileSync(join(root, 'dist', 'swarmkeeper.js'));

const site = http.createServer((req, res) => {
  if (req.url === '/swarmkeeper.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>swarmkeeper</title><script src="/swarmkeeper.js"></script><body></body>');
  }
});
await new Promise((r) => site.listen(0, '127.0.0.1', r));
const pageUrl = `http://127.0.0.1:${site.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-features=WebRtcHideLocalIpsWithMdns', '--use-fake-ui-for-media-stream'],
});
const pages = new Map();
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

async function startClient(page, server) {
  return page.evaluate(async (server) => {
      window.sk = Swarmkeeper.start({ server, log: (m) => console.log(m) });
      window.distrust = [];
      window.sk.on('distrust', (e) => window.distrust.push(e));
      await window.sk.ready;
      for (let i = 0; i < 100 && !window.sk.stats().connected; i++) await new Promise((r) => setTimeout(r, 50));
      return window.sk.stats().peerId;
    }, server);
}

async function run(c) {
  if (c.cmd === 'open') {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    page.on('console', (m) => console.error(`[${c.page}] ${m.text()}`));
    page.on('pageerror', (e) => console.error(`[${c.page}] page error: ${e.message}`));
    await page.goto(pageUrl);
    const peer = await startClient(page, c.server);
    pages.set(c.page, { page, server: c.server });
    return { event: 'opened', page: c.page, peer };
  }
  const { page, server } = pages.get(c.page);
  if (c.cmd === 'reload') {
    await page.reload();
    return { event: 'reloaded', page: c.page, peer: await startClient(page, server) };
  }
  if (c.cmd === 'fetch') {
    return page.evaluate(async ({ id, url, name, tag }) => {
      const started = performance.now();
      try {
        const r = await window.sk.fetch(url || null, id);
        const millis = performance.now() - started; // verified bytes in hand
        const bytes = new Uint8Array(await r.blob.arrayBuffer());
        return { event: 'fetched', page: name, id: r.id, bytes: r.bytes, blobBytes: bytes.length, source: r.source, millis, tag };
      } catch (e) {
        return { event: 'failed', page: name, id, error: e.message, tag };
      }
    }, { id: c.id, url: c.url, name: c.page, tag: c.tag || null });
  }
  if (c.cmd === 'scan') {
    return page.evaluate(async ({ id, url, name }) => {
      const img = document.createElement('img');
      img.dataset.swarmSrc = url;
      img.dataset.swarmHash = id;
      document.body.append(img);
      await window.sk.scan(document.body);
      if (img.src) await img.decode().catch(() => {});
      return { event: 'scanned', page: name, source: img.dataset.swarmSource || null, error: img.dataset.swarmError || null, src: img.getAttribute('src'), width: img.naturalWidth };
    }, { id: c.id, url: c.url, name: c.page });
  }
  if (c.cmd === 'stats') {
    return { event: 'stats', page: c.page, stats: await page.evaluate(() => window.sk.stats()), distrust: await page.evaluate(() => window.distrust) };
  }
  throw new Error('unknown command ' + c.cmd);
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  if (c.cmd === 'quit') break;
  try {
    say(await run(c));
  } catch (e) {
    say({ event: 'error', cmd: c.cmd, page: c.page, error: e.message });
  }
}
await browser.close();
site.close();
process.exit(0);
