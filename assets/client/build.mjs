// Builds dist/swarmkeeper.js: one IIFE file that defines window.Swarmkeeper, with simple-peer,
// js-sha256 and the PouchDB parts in it. Prints its size and its gzipped size (the budget is
// 100 KB gzipped); `node build.mjs --check` fails when over budget.

import { build } from 'esbuild';
import { readFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, 'dist', 'swarmkeeper.js');
const BUDGET = 100 * 1024;

mkdirSync(join(here, 'dist'), { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'browser.js')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  legalComments: 'eof',
  outfile,
  inject: [join(here, 'src', 'shims', 'process.js')],
  define: { global: 'globalThis', 'process.env.NODE_DEBUG': 'false' },
  logLevel: 'warning',
});

const bytes = readFileSync(outfile);
const gzipped = gzipSync(bytes, { level: 9 }).length;
console.log(`dist/swarmkeeper.js: ${bytes.length} bytes, ${gzipped} bytes gzipped (budget ${BUDGET})`);
if (process.argv.includes('--check') && gzipped > BUDGET) {
  console.error(`over budget by ${gzipped - BUDGET} bytes`);
  process.exit(1);
}
