// The transfer protocol's messages, version 1 (docs/protocol.md, section 2; Java:
// transfer.TransferMessage): type(1) requestId(4) then a body; integers unsigned big-endian
// unless said otherwise. Messages are plain objects {type, requestId, ...}.

export const REQUEST = 0x01;
export const RESPONSE = 0x02;
export const CHUNK = 0x03;
export const END = 0x04;
export const NOT_FOUND = 0x05;
export const ERROR = 0x06;
export const CANCEL = 0x07;
export const HASHES = 0x08;

export const MAX_CHUNK_BYTES = 64 * 1024;
export const MAX_MESSAGE_BYTES = MAX_CHUNK_BYTES + 64;
export const MAX_HASHES = 255;
/** REQUEST length meaning "to the end of the resource". */
export const TO_END = -1;

/** ERROR codes. */
export const Errors = { PROTOCOL: 1, INTERNAL: 2, BAD_RANGE: 3, BUSY: 4, UNSUPPORTED_VERSION: 5 };

/** The data channel's protocol field for this version, set by the side that creates the channel. */
export const CHANNEL_PROTOCOL = 'swarmkeeper/1';
/** What a holder that refuses a channel says it speaks. */
export const SPOKEN = CHANNEL_PROTOCOL;

/** True when a channel whose protocol field is `protocol` speaks version 1 (empty: peers from before the field). */
export function speaks(protocol) {
  return !protocol || protocol === CHANNEL_PROTOCOL;
}

/** A message that does not parse, or breaks the protocol: the link is dropped. */
export class ProtocolViolation extends Error {}

const NAMES = { 1: 'REQUEST', 2: 'RESPONSE', 3: 'CHUNK', 4: 'END', 5: 'NOT_FOUND', 6: 'ERROR', 7: 'CANCEL', 8: 'HASHES' };

export function typeName(type) {
  return NAMES[type] || '0x' + type.toString(16);
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8');

function header(type, requestId, bodyLength) {
  const bytes = new Uint8Array(5 + bodyLength);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, type);
  view.setUint32(1, requestId >>> 0);
  return { bytes, view };
}

function setLong(view, at, value) {
  view.setBigInt64(at, BigInt(value));
}

/** Encodes a message object as bytes. */
export function encode(m) {
  switch (m.type) {
    case REQUEST: {
      const id = utf8.encode(m.id);
      if (id.length > 255) throw new Error('resource id longer than 255 bytes');
      const { bytes, view } = header(REQUEST, m.requestId, 17 + id.length);
      setLong(view, 5, m.offset);
      setLong(view, 13, m.length);
      view.setUint8(21, id.length);
      bytes.set(id, 22);
      return bytes;
    }
    case RESPONSE: {
      const { bytes, view } = header(RESPONSE, m.requestId, 24);
      setLong(view, 5, m.totalSize);
      setLong(view, 13, m.offset);
      setLong(view, 21, m.length);
      return bytes;
    }
    case CHUNK: {
      if (m.data.length > MAX_CHUNK_BYTES) throw new Error(`chunk of ${m.data.length} bytes exceeds ${MAX_CHUNK_BYTES}`);
      const { bytes, view } = header(CHUNK, m.requestId, 8 + m.data.length);
      setLong(view, 5, m.offset);
      bytes.set(m.data, 13);
      return bytes;
    }
    case END:
    case NOT_FOUND:
    case CANCEL:
      return header(m.type, m.requestId, 0).bytes;
    case ERROR: {
      let text = utf8.encode(m.message || '');
      if (text.length > 1024) text = text.subarray(0, 1024); // cut at that length, even inside a character
      const { bytes, view } = header(ERROR, m.requestId, 2 + text.length);
      view.setUint16(5, m.code);
      bytes.set(text, 7);
      return bytes;
    }
    case HASHES: {
      if (m.pieces.length < 1 || m.pieces.length > MAX_HASHES || m.proof.length > MAX_HASHES) {
        throw new Error(`1..${MAX_HASHES} piece hashes and at most ${MAX_HASHES} proof hashes`);
      }
      const { bytes, view } = header(HASHES, m.requestId, 6 + 32 * (m.pieces.length + m.proof.length));
      view.setUint32(5, m.firstPiece);
      view.setUint8(9, m.pieces.length);
      view.setUint8(10, m.proof.length);
      let at = 11;
      for (const h of [...m.pieces, ...m.proof]) {
        bytes.set(h, at);
        at += 32;
      }
      return bytes;
    }
    default:
      throw new Error('unknown message type ' + m.type);
  }
}

/** Reads one message; throws ProtocolViolation when it is malformed. */
export function decode(input) {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new ProtocolViolation(`message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n, what) => {
    if (bytes.length < n) throw new ProtocolViolation(`truncated ${what} of ${bytes.length} bytes`);
  };
  const exactly = (n, what) => {
    need(n, what);
    if (bytes.length > n) throw new ProtocolViolation(`${bytes.length - n} stray bytes after ${what}`);
  };
  need(5, 'message');
  const type = view.getUint8(0);
  const requestId = view.getUint32(1);
  const long = (at) => Number(view.getBigInt64(at));
  switch (type) {
    case REQUEST: {
      need(22, 'REQUEST');
      const offset = long(5);
      const length = long(13);
      const idLength = view.getUint8(21);
      exactly(22 + idLength, 'REQUEST');
      if (offset < 0 || length < TO_END) throw new ProtocolViolation('request with negative offset or length');
      let id = '';
      for (let i = 0; i < idLength; i++) id += bytes[22 + i] < 0x80 ? String.fromCharCode(bytes[22 + i]) : '\ufffd'; // ASCII only, as Java reads it
      return { type, requestId, offset, length, id };
    }
    case RESPONSE: {
      exactly(29, 'RESPONSE');
      const m = { type, requestId, totalSize: long(5), offset: long(13), length: long(21) };
      if (m.totalSize < 0 || m.offset < 0 || m.length < 0 || m.offset + m.length > m.totalSize) {
        throw new ProtocolViolation(`response with inconsistent sizes: total ${m.totalSize}, ${m.length} bytes at ${m.offset}`);
      }
      return m;
    }
    case CHUNK:
      need(13, 'CHUNK');
      return { type, requestId, offset: long(5), data: bytes.subarray(13) };
    case END:
    case NOT_FOUND:
    case CANCEL:
      exactly(5, typeName(type));
      return { type, requestId };
    case ERROR:
      need(7, 'ERROR');
      return { type, requestId, code: view.getUint16(5), message: fromUtf8.decode(bytes.subarray(7)) };
    case HASHES: {
      need(11, 'HASHES');
      const firstPiece = view.getInt32(5);
      const pieces = view.getUint8(9);
      const proof = view.getUint8(10);
      if (firstPiece < 0 || pieces === 0) throw new ProtocolViolation('hashes with a negative first piece or no pieces');
      exactly(11 + 32 * (pieces + proof), 'HASHES');
      const hash = (i) => bytes.slice(11 + 32 * i, 11 + 32 * (i + 1));
      return {
        type,
        requestId,
        firstPiece,
        pieces: Array.from({ length: pieces }, (_, i) => hash(i)),
        proof: Array.from({ length: proof }, (_, i) => hash(pieces + i)),
      };
    }
    default:
      throw new ProtocolViolation('unknown message type 0x' + type.toString(16));
  }
}
