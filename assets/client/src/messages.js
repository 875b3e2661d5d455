// The signaling protocol's messages, version 1 (docs/protocol.md, section 1), as this client
// writes them: fields in the documented order, absent fields omitted (never null).

export const PROTOCOL_VERSION = 1;

export function hello({ role = 'browser', coords, resume } = {}) {
  const m = { type: 'hello', version: PROTOCOL_VERSION, role };
  if (coords) m.coords = { lat: coords.lat, lon: coords.lon, accuracy: coords.accuracy };
  if (resume) m.resume = resume;
  return m;
}

export function have(hashes) {
  return { type: 'have', hashes };
}

export function lost(hashes) {
  return { type: 'lost', hashes };
}

export function want(hash, count, origin) {
  const m = { type: 'want', hash, count };
  if (origin) m.origin = origin;
  return m;
}

export function cancel(hash) {
  return { type: 'cancel', hash };
}

export function signal(to, data) {
  return { type: 'signal', to, data };
}

export function report(peer, hash, reason) {
  const m = { type: 'report', peer };
  if (hash) m.hash = hash;
  if (reason) m.reason = reason.length > 512 ? reason.slice(0, 512) + '…' : reason;
  return m;
}

export function served(peer, hash, bytes) {
  const m = { type: 'served', peer };
  if (hash) m.hash = hash;
  if (bytes != null) m.bytes = bytes;
  return m;
}

export function bye() {
  return { type: 'bye' };
}

/** A holder's refusal of an offer, the `data` of a signal (not simple-peer's). */
export function refused(reason, ufrag) {
  const d = { type: 'refused', reason };
  if (ufrag) d.ufrag = ufrag;
  return d;
}

const SERVER_TYPES = new Set(['welcome', 'match', 'signal', 'peer-gone', 'error', 'demand']);

/**
 * Reads a frame from the server: the message object, or null when it is not one this client
 * understands (not JSON, not an object, no string type, or an unknown type: ignored, as later
 * versions may add some).
 */
export function parseServerMessage(text) {
  let m;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object' || Array.isArray(m) || typeof m.type !== 'string') return null;
  return SERVER_TYPES.has(m.type) ? m : null;
}
