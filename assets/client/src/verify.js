// Whole-resource verification: nothing is used, shown, kept or served before its bytes hash to
// the id the page gave. SHA-224 with js-sha256 (WebCrypto has none), incrementally, so a page stays
// responsive while a large resource is hashed; SRI forms with WebCrypto (crypto.subtle: secure
// contexts only, and in Node); mt256- with the Merkle tree.

import jsSha256 from 'js-sha256';
import { merkleRootInSlices, bytesEqual } from './merkle.js';
import { toHex } from './ids.js';

const { sha224, sha256 } = jsSha256;

/** Bytes hashed between two yields to the page's event loop. */
const SLICE_BYTES = 4 * 1024 * 1024;

const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

function subtle() {
  const c = globalThis.crypto;
  return c && c.subtle ? c.subtle : null;
}

const SUBTLE_NAMES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** The digest of `bytes` for the kind of `id` (a ResourceId), as a Uint8Array. */
export async function digestFor(id, bytes) {
  switch (id.algorithm) {
    case 'sha224':
      return incremental(sha224.create(), bytes);
    case 'mt256':
      return merkleRootInSlices(bytes);
    default: {
      const s = subtle();
      if (s) return new Uint8Array(await s.digest(SUBTLE_NAMES[id.algorithm], bytes));
      if (id.algorithm === 'sha256') return incremental(sha256.create(), bytes);
      throw new VerifyUnavailable(`cannot check ${id.algorithm} here: WebCrypto (crypto.subtle) is only in secure contexts (https, or http on localhost)`);
    }
  }
}

async function incremental(hasher, bytes) {
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
    hasher.update(bytes.subarray(at, Math.min(bytes.length, at + SLICE_BYTES)));
    if (at + SLICE_BYTES < bytes.length) await yieldToPage();
  }
  return new Uint8Array(hasher.arrayBuffer());
}

/** True when `bytes` hash to `id`. */
export async function matches(id, bytes) {
  return bytesEqual(await digestFor(id, bytes), id.digest);
}

/** How a digest of `id`'s kind is written, to name what arrived instead. */
export function describeDigest(id, digest) {
  return id.algorithm === 'sha224' ? toHex(digest) : id.algorithm + '-' + toHex(digest);
}

/** This page cannot check this kind of id (no WebCrypto): not the fault of whoever sent the bytes. */
export class VerifyUnavailable extends Error {}

/**
 * A hash computed while bytes stream in, in order (an origin's body): SHA-224 and SHA-256 are
 * hashed as they come; other kinds keep the bytes and hash them at the end.
 */
export class StreamingDigest {
  constructor(id) {
    this.id = id;
    this.hasher = id.algorithm === 'sha224' ? sha224.create() : null;
  }

  update(chunk) {
    if (this.hasher) this.hasher.update(chunk);
  }

  /** `bytes`: everything that was streamed, for the kinds that hash at the end. */
  async digest(bytes) {
    if (this.hasher) return new Uint8Array(this.hasher.arrayBuffer());
    return digestFor(this.id, bytes);
  }
}
