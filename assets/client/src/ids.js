// Resource ids (docs/protocol.md, the table at the top): the hash of a resource's bytes as the
// website writes it beside the link. Three forms: SHA-224 as 56 hex characters (img_hash),
// Subresource Integrity (sha256-/sha384-/sha512- + base64) and Merkle roots (mt256- + 64 hex).
// Every form has one canonical text: the one the signaling server sends back in match.hash.

const DIGEST_BYTES = { sha224: 28, sha256: 32, sha384: 48, sha512: 64, mt256: 32 };
const HEX = /^[0-9a-fA-F]+$/;

/** A resource id; `text` is canonical, `key` is `<algorithm>-<lowercase hex>` (store names). */
export class ResourceId {
  constructor(algorithm, digest) {
    this.algorithm = algorithm;
    this.digest = digest;
    this.text = format(algorithm, digest);
    this.key = algorithm + '-' + toHex(digest);
  }

  toString() {
    return this.text;
  }

  /** A short form for logs and panels. */
  get short() {
    return toHex(this.digest.subarray(0, 6));
  }
}

/** Parses an id; throws an Error whose message is fit for a page's author. */
export function parseId(input) {
  if (input instanceof ResourceId) return input;
  if (typeof input !== 'string') throw new Error('resource id is missing');
  const text = input.trim();
  if (!text) throw new Error('resource id is empty');
  const dash = text.indexOf('-');
  if (dash < 0) {
    if (text.length !== 56 || !HEX.test(text)) {
      throw new Error(`not a resource id: expected SHA-224 as 56 hex characters or sha256-/sha384-/sha512-<base64>, got "${abbreviate(text)}" (${text.length} characters)`);
    }
    return new ResourceId('sha224', fromHex(text));
  }
  const prefix = text.slice(0, dash).toLowerCase();
  const rest = text.slice(dash + 1);
  if (prefix === 'mt256') {
    if (rest.length !== 64 || !HEX.test(rest)) {
      throw new Error(`not a resource id: a Merkle root is mt256- and 64 hex characters, got "${abbreviate(text)}"`);
    }
    return new ResourceId('mt256', fromHex(rest));
  }
  if (prefix !== 'sha256' && prefix !== 'sha384' && prefix !== 'sha512') {
    throw new Error(`not a resource id: unknown hash "${prefix}" in "${abbreviate(text)}" (accepted: sha256-, sha384-, sha512-, mt256- or 56 hex characters)`);
  }
  const q = rest.indexOf('?'); // SRI options
  const encoded = q >= 0 ? rest.slice(0, q) : rest;
  const bytes = fromBase64(encoded);
  if (bytes === null) throw new Error(`not a resource id: "${abbreviate(text)}" is not valid base64 after "${prefix}-"`);
  if (bytes.length !== DIGEST_BYTES[prefix]) {
    throw new Error(`not a resource id: a ${prefix} digest is ${DIGEST_BYTES[prefix]} bytes, "${abbreviate(text)}" holds ${bytes.length}`);
  }
  return new ResourceId(prefix, bytes);
}

/** True when `text` parses as an id. */
export function isValidId(text) {
  try {
    parseId(text);
    return true;
  } catch {
    return false;
  }
}

function format(algorithm, digest) {
  if (algorithm === 'sha224') return toHex(digest);
  if (algorithm === 'mt256') return 'mt256-' + toHex(digest);
  return algorithm + '-' + toBase64(digest);
}

function abbreviate(s) {
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}

export function toHex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

export function fromHex(hex) {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes) {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8);
    s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + '=';
  }
  return s;
}

/** Standard or URL-safe base64, padding optional; null when it is not base64. */
export function fromBase64(text) {
  let s = text.replace(/-/g, '+').replace(/_/g, '/');
  const pad = s.indexOf('=');
  if (pad >= 0) {
    if (!/^=={0,1}$/.test(s.slice(pad)) || s.length % 4 !== 0) return null;
    s = s.slice(0, pad);
  }
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B64.indexOf(s[i]);
    if (v < 0) return null;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
