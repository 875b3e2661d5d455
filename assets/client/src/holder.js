// The holder's side of the transfer protocol on one link (docs/protocol.md, section 2; Java:
// transfer.TransferServer): answers REQUEST with RESPONSE, HASHES (mt256- ids), CHUNKs of 64 KiB
// and END; NOT_FOUND for what it does not hold; ERROR 3 for an offset beyond the size, ERROR 1 for
// a misaligned mt256- range, ERROR 4 beyond two requests per link or the page's upload slots, and
// ERROR 5 to every message of a channel whose version it does not speak. Chunks leave no faster
// than the page's upload cap, so that a visitor's page stays responsive.

import * as codec from './codec.js';
import { parseId } from './ids.js';
import { PIECE_BYTES } from './merkle.js';

export const MAX_ACTIVE_PER_LINK = 2;
export const PIECES_PER_HASHES = 8;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Upload slots and the byte cap, shared by every link of a page. */
export class Uploads {
  constructor({ slots = 4, bucket }) {
    this.slots = slots;
    this.active = 0;
    this.bucket = bucket; // a TokenBucket of bytes per second, or null
    this.bytes = 0;
    this.served = 0;
  }
}

/** Why an mt256- range cannot be served, or null when it can. */
export function misaligned(offset, length, size) {
  const end = offset + length;
  const rule = `mt256- ranges start on a piece boundary (a multiple of ${PIECE_BYTES}) and end on one or at the end of the resource: `;
  if (offset % PIECE_BYTES !== 0) return rule + `offset ${offset} is not a piece boundary`;
  if (end !== size && end % PIECE_BYTES !== 0) return rule + `end ${end} is not a piece boundary`;
  return null;
}

export class TransferServer {
  /**
   * `source.open(id)`: resolves to {bytes, pieceTree()} for a resource held and verified (pieceTree()
   * may return a promise), or null.
   * `onViolation(error)`: the requester broke the protocol; the owner closes the link.
   * `onUploaded({id, bytes, failure})`: after each request.
   */
  constructor(link, { source, uploads, onViolation, onUploaded }) {
    this.link = link;
    this.source = source;
    this.uploads = uploads;
    this.onViolation = onViolation || (() => {});
    this.onUploaded = onUploaded || (() => {});
    this.active = new Map(); // requestId -> {cancelled}
    this.speaks = codec.speaks(link.channelProtocol);
    this.closed = false;
  }

  onMessage(bytes) {
    if (this.closed) return;
    if (!this.speaks) {
      // Another version's messages need not parse as ours; every version keeps type and request id first.
      const requestId = bytes.length >= 5 ? new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0) : 0;
      this.reply({ type: codec.ERROR, requestId, code: codec.Errors.UNSUPPORTED_VERSION, message: codec.SPOKEN });
      return;
    }
    let m;
    try {
      m = codec.decode(bytes);
      if (m.type === codec.REQUEST) this.onRequest(m);
      else if (m.type === codec.CANCEL) {
        const a = this.active.get(m.requestId);
        if (a) a.cancelled = true;
      } else throw new codec.ProtocolViolation('a requester may not send ' + codec.typeName(m.type));
    } catch (e) {
      if (e instanceof codec.ProtocolViolation) {
        this.close();
        this.onViolation(e);
      } else throw e;
    }
  }

  onRequest(m) {
    let id;
    try {
      id = parseId(m.id);
    } catch {
      this.reply({ type: codec.ERROR, requestId: m.requestId, code: codec.Errors.PROTOCOL, message: 'not a resource id: ' + m.id });
      throw new codec.ProtocolViolation('request for a malformed resource id');
    }
    if (this.active.has(m.requestId)) throw new codec.ProtocolViolation(`request id ${m.requestId} is already in use`);
    if (this.active.size >= MAX_ACTIVE_PER_LINK) {
      this.reply({ type: codec.ERROR, requestId: m.requestId, code: codec.Errors.BUSY, message: `at most ${MAX_ACTIVE_PER_LINK} requests at once per peer` });
      return;
    }
    if (this.uploads.active >= this.uploads.slots) {
      this.reply({ type: codec.ERROR, requestId: m.requestId, code: codec.Errors.BUSY, message: 'no free upload slot' });
      return;
    }
    const state = { cancelled: false };
    this.active.set(m.requestId, state);
    this.uploads.active++;
    this.serve(m, id, state).finally(() => {
      if (this.active.get(m.requestId) === state) this.active.delete(m.requestId);
      this.uploads.active--;
    });
  }

  async serve(m, id, state) {
    let sent = 0;
    let failure = null;
    const stopped = () => state.cancelled || this.closed || this.link.closed;
    try {
      const content = await this.source.open(id);
      if (stopped()) {
        failure = 'cancelled';
        return;
      }
      if (!content) {
        failure = 'not held';
        await this.link.send(codec.encode({ type: codec.NOT_FOUND, requestId: m.requestId }));
        return;
      }
      const size = content.bytes.length;
      if (m.offset > size) {
        failure = 'bad range';
        await this.link.send(codec.encode({ type: codec.ERROR, requestId: m.requestId, code: codec.Errors.BAD_RANGE, message: `offset ${m.offset} beyond size ${size}` }));
        return;
      }
      const length = m.length === codec.TO_END ? size - m.offset : Math.min(m.length, size - m.offset);
      const merkle = id.algorithm === 'mt256';
      const bad = merkle ? misaligned(m.offset, length, size) : null;
      if (bad) {
        failure = 'misaligned'; // its pieces could not be checked on arrival: refused, the link serves on
        await this.link.send(codec.encode({ type: codec.ERROR, requestId: m.requestId, code: codec.Errors.PROTOCOL, message: bad }));
        return;
      }
      const tree = merkle && length > 0 ? await content.pieceTree() : null;
      if (stopped()) {
        failure = 'cancelled';
        return;
      }
      await this.link.send(codec.encode({ type: codec.RESPONSE, requestId: m.requestId, totalSize: size, offset: m.offset, length }));
      let nextPiece = Math.floor(m.offset / PIECE_BYTES);
      const lastPiece = length > 0 ? Math.floor((m.offset + length - 1) / PIECE_BYTES) : -1;
      while (sent < length) {
        if (stopped()) {
          failure = 'cancelled';
          return; // after CANCEL nothing more is sent for the request
        }
        const n = Math.min(codec.MAX_CHUNK_BYTES, length - sent);
        const at = m.offset + sent;
        if (this.uploads.bucket) {
          const wait = this.uploads.bucket.reserve(n);
          if (wait > 0) await sleep(wait);
          if (stopped()) {
            failure = 'cancelled';
            return;
          }
        }
        if (tree) {
          // Each run of up to 8 pieces' hashes, with their proof, before any chunk of the run.
          const needed = Math.floor((at + n - 1) / PIECE_BYTES);
          while (nextPiece <= needed) {
            const count = Math.min(PIECES_PER_HASHES, lastPiece - nextPiece + 1);
            const pieces = [];
            for (let i = nextPiece; i < nextPiece + count; i++) pieces.push(tree.piece(i));
            await this.link.send(codec.encode({ type: codec.HASHES, requestId: m.requestId, firstPiece: nextPiece, pieces, proof: tree.proof(nextPiece, count) }));
            nextPiece += count;
          }
        }
        await this.link.send(codec.encode({ type: codec.CHUNK, requestId: m.requestId, offset: at, data: content.bytes.subarray(at, at + n) }));
        sent += n;
        this.uploads.bytes += n;
      }
      // Free the request's place before END: the requester may ask again the moment END arrives.
      this.active.delete(m.requestId);
      await this.link.send(codec.encode({ type: codec.END, requestId: m.requestId }));
      this.uploads.served++;
    } catch (e) {
      failure = e && e.message ? e.message : String(e);
      if (!this.link.closed) this.reply({ type: codec.ERROR, requestId: m.requestId, code: codec.Errors.INTERNAL, message: 'upload failed' });
    } finally {
      this.onUploaded({ peer: this.link.peerId, id, bytes: sent, failure });
    }
  }

  reply(message) {
    this.link.trySend(codec.encode(message));
  }

  close() {
    this.closed = true;
  }
}
