// Drives Debian's Chromium (never a downloaded one) through playwright-core for the Java tests
// of the browser client: opens pages, waits until each says it is done (window.__swarm.done),
// and prints one JSON line per step on stdout. Run by src/test/java/.../BrowserPages.java with
// NODE_PATH pointing at assets/client/node_modules.
//
//   node page-runner.cjs '{"steps":[{"open":"http://127.0.0.1:1234/","profile":"a"}, ...]}'
//
// A step opens a page in a browser profile of its own name (a profile keeps its IndexedDB between
// steps, so a second "open" in the same profile is a reload with the cache; "keepOpen" leaves the
// page open to serve what it holds), or {"close":"a"} closes one, {"wait": millis} waits, and
// {"awaitLine": "why"} waits for a line on stdin (the Java test did something meanwhile). Every
// page's console is echoed on stderr.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

const stdinLines = [];
let stdinWaiter = null;
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => {
  for (const line of chunk.split('\n')) {
    if (!line) continue;
    if (stdinWaiter) { const w = stdinWaiter; stdinWaiter = null; w(line); } else stdinLines.push(line);
  }
});
function nextStdinLine() {
  return stdinLines.length ? Promise.resolve(stdinLines.shift()) : new Promise(r => { stdinWaiter = r; });
}

async function main() {
  const plan = JSON.parse(process.argv[2]);
  const timeout = plan.timeoutMillis || 60000;
  const profiles = new Map();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swarmkeeper-chromium-'));
  try {
    for (const step of plan.steps) {
      if (step.wait) {
        await new Promise(r => setTimeout(r, step.wait));
        continue;
      }
      if (step.awaitLine) {
        // The Java side says when to go on (it did something while the pages stayed open).
        await nextStdinLine();
        console.log(JSON.stringify({ resumed: step.awaitLine }));
        continue;
      }
      if (step.close) {
        const context = profiles.get(step.close);
        if (context) await context.close();
        profiles.delete(step.close);
        console.log(JSON.stringify({ closed: step.close }));
        continue;
      }
      let context = profiles.get(step.profile);
      if (!context) {
        context = await chromium.launchPersistentContext(path.join(root, step.profile), {
          executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
          headless: true,
          args: FLAGS,
          permissions: ['camera', 'microphone'],
        });
        profiles.set(step.profile, context);
      }
      const page = await context.newPage();
      const requests = [];
      page.on('request', r => requests.push(r.url()));
      page.on('console', m => process.stderr.write(`[${step.profile}] ${m.type()}: ${m.text()}\n`));
      page.on('pageerror', e => process.stderr.write(`[${step.profile}] page error: ${e}\n`));
      const started = Date.now();
      await page.goto(step.open, { timeout });
      await page.waitForFunction(() => window.__swarm && window.__swarm.done, null, { timeout });
      // A photo's src is set the moment it is verified; the browser decodes it a little later.
      await page.waitForFunction(() => Array.from(document.images).every(img => !img.getAttribute('src') || img.complete),
        null, { timeout });
      const result = await page.evaluate(() => ({
        swarm: window.__swarm,
        images: Array.from(document.querySelectorAll('img')).map(img => ({
          alt: img.alt,
          shown: !!img.getAttribute('src') && img.complete && img.naturalWidth > 0,
          source: img.dataset.swarmSource || null,
          error: img.dataset.swarmError || null,
        })),
        status: (document.getElementById('status') || {}).textContent || null,
      }));
      result.profile = step.profile;
      result.millis = Date.now() - started;
      result.requests = requests;
      if (step.screenshot) await page.screenshot({ path: step.screenshot, fullPage: true });
      if (step.keepOpen) {
        // The page stays, to serve what it holds to other peers.
      } else {
        await page.close();
      }
      console.log(JSON.stringify(result));
    }
  } finally {
    for (const context of profiles.values()) await context.close().catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), e => {
  console.error(e && e.stack || String(e));
  process.exit(1);
});
