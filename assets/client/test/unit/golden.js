// Where the project's golden files are: the contract docs/protocol.md pins.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'src', 'test', 'resources', 'golden');

export function goldenHex(name) {
  const text = readFileSync(join(root, 'transfer', name), 'utf8');
  return Uint8Array.from(Buffer.from(text.replace(/"[^"]*"/g, '').replace(/\s+/g, ''), 'hex'));
}

export function goldenText(dir, name) {
  return readFileSync(join(root, dir, name), 'utf8').trim();
}

export function goldenNames(dir) {
  return readdirSync(join(root, dir));
}

export function merkleVectors() {
  return JSON.parse(readFileSync(join(root, 'transfer', 'merkle-vectors.json'), 'utf8'));
}

export const hex = (bytes) => Buffer.from(bytes).toString('hex');
export const unhex = (text) => Uint8Array.from(Buffer.from(text, 'hex'));
