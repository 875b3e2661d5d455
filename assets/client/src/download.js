// One resource fetched in ranges from several holders at once (docs/protocol.md, section 2,
// "Several holders at once"; Java: node.SwarmDownload). The first request (bytes 0–512 KiB to one
// holder) tells the size; the rest is cut into 512 KiB ranges, each holder keeping two requests in
// flight. A holder that fails, stalls or breaks the protocol is dropped and the rest of its range
// is asked of another from the exact offset where it stopped (for mt256- ids: from its first
// unverified piece). Every delivered range is recorded with its sender, so that a whole-resource
// hash that fails can be blamed on exactly the holders whose bytes differ from a good copy.

import * as codec from './codec.js';
import { PIECE_BYTES, pieceCount, pieceLength, pieceHash, verifyProof, bytesEqual } from './merkle.js';

export const RANGE_BYTES = 512 * 1024;
export const IN_FLIGHT_PER_SOURCE = 2;
/** A request must bring at least this (or what is left of it) in every idle window. */
export const MIN_BYTES_PER_WINDOW = 64 * 1024;

/** How a holder failed a download. */
export const Fault = { BAD_BYTES: 'bad-bytes', VIOLATION: 'violation', STALL: 'stall', GONE: 'gone' };

/** A piece failed its proven hash: its sender lied. */
export class BadPiece extends Error {}
/** The resource is larger than this download may take. */
export class OverLimit extends Error {}
/** A holder disagrees with the size the first answer gave: it leaves without blame. */
class SizeDisagreement extends Error {}

export class SwarmDownload {
  /**
   * `onDropped(peer, why, fault)`: a holder must not be used again in this download.
   * `reserve(bytes)`: ms to wait before asking (a download cap); none by default.
   */
  constructor(id, { maxBytes, onDropped, windowMs = 20000, reserve = () => 0 }) {
    this.id = id;
    this.merkle = id.algorithm === 'mt256';
    this.maxBytes = maxBytes;
    this.onDropped = onDropped || (() => {});
    this.windowMs = windowMs;
    this.reserve = reserve;
    this.sources = new Map();
    this.todo = [];
    this.delivered = []; // {offset, length, peer}
    this.size = -1;
    this.sizing = false;
    this.sizer = null;
    this.remaining = -1;
    this.bytes = null;
    this.pieceHashes = new Map();
    this.pieces = 0;
    this.disagreed = new Set();
    this.finished = false;
    this.complete = new Promise((resolve, reject) => {
      this.resolveComplete = resolve;
      this.rejectComplete = reject;
    });
    this.complete.catch(() => {});
    this.stallTimer = setInterval(() => this.cancelStalled(), Math.min(1000, windowMs / 4));
  }

  /** A holder whose link is open (a TransferClient): it starts taking ranges at once. */
  addSource(peer, client) {
    if (this.finished || this.sources.has(peer)) return;
    this.sources.set(peer, { peer, client, inFlight: new Set(), gone: false });
    this.pumpAll();
  }

  liveSources() {
    let n = 0;
    for (const s of this.sources.values()) if (!s.gone) n++;
    return n;
  }

  /** True when `peer` joined, sent nothing, and was not dropped (or only disagreed on the size). */
  isIdle(peer) {
    const s = this.sources.get(peer);
    return !!s && !this.delivered.some((p) => p.peer === peer) && (!s.gone || this.disagreed.has(peer));
  }

  /** Every holder that sent bytes, in order of first delivery. */
  senders() {
    return [...new Set(this.delivered.map((p) => p.peer))];
  }

  bytesBySender() {
    const by = new Map();
    for (const p of this.delivered) by.set(p.peer, (by.get(p.peer) || 0) + p.length);
    return by;
  }

  learnSize(totalSize, request) {
    if (this.size >= 0) {
      if (totalSize !== this.size) {
        this.disagreed.add(request.source.peer);
        throw new SizeDisagreement(`says the resource is ${totalSize} bytes; another holder said ${this.size}`);
      }
      return;
    }
    if (totalSize > this.maxBytes) throw new OverLimit(`peer offers ${totalSize} bytes, over the limit of ${this.maxBytes}`);
    if (this.finished) throw new Error('download closed');
    this.bytes = new Uint8Array(totalSize);
    this.pieces = pieceCount(totalSize);
    this.remaining = totalSize;
    this.sizer = request.source.peer;
    this.size = totalSize;
    const firstEnd = Math.min(totalSize, request.offset + request.length);
    for (let at = firstEnd; at < totalSize; at += RANGE_BYTES) this.todo.push([at, Math.min(RANGE_BYTES, totalSize - at)]);
    setTimeout(() => this.pumpAll(), 0); // the others may start now, not when the first range is done
  }

  pumpAll() {
    for (const s of this.sources.values()) if (!s.gone) this.pump(s);
  }

  pump(source) {
    const toSend = [];
    while (!source.gone && !this.finished && source.inFlight.size < IN_FLIGHT_PER_SOURCE) {
      let r;
      if (this.size < 0) {
        if (this.sizing) break; // the first answer will tell the size
        this.sizing = true;
        r = this.newRequest(source, 0, RANGE_BYTES);
      } else {
        const range = this.todo.shift();
        if (!range) break;
        r = this.newRequest(source, range[0], range[1]);
      }
      source.inFlight.add(r);
      toSend.push(r);
    }
    for (const r of toSend) {
      const wait = this.reserve(r.length);
      if (wait > 0) setTimeout(() => this.send(r), wait);
      else this.send(r);
    }
  }

  newRequest(source, offset, length) {
    const download = this;
    const r = {
      source,
      offset,
      length,
      written: 0, // verified bytes written (all bytes for ids checked only at the end)
      received: 0, // bytes received, verified or not: what the stall rule counts
      windowStart: Date.now(),
      receivedAtWindowStart: 0,
      handle: null,
      piece: null,
      pieceFill: 0,
      sent() {
        // The link sent it (it may have waited behind other fetches' requests): its window starts now.
        r.windowStart = Date.now();
        r.receivedAtWindowStart = r.received;
      },
      size(total) {
        r.received += 1; // an answer is progress, even before the first byte
        download.learnSize(total, r);
      },
      hashes(h) {
        if (!download.merkle) throw new codec.ProtocolViolation('piece hashes for an id that is not a Merkle root');
        const last = h.firstPiece + h.pieces.length - 1;
        const end = Math.min(download.size, r.offset + r.length);
        if (h.firstPiece < Math.floor(r.offset / PIECE_BYTES) || last * PIECE_BYTES >= end) {
          throw new codec.ProtocolViolation('piece hashes outside the range asked for');
        }
        if (!verifyProof(download.id.digest, download.pieces, h.firstPiece, h.pieces, h.proof)) {
          throw new codec.ProtocolViolation("piece hashes that do not lead to the resource's root");
        }
        h.pieces.forEach((p, i) => {
          if (!download.pieceHashes.has(h.firstPiece + i)) download.pieceHashes.set(h.firstPiece + i, p);
        });
        r.received += 1;
      },
      write(at, data) {
        r.received += data.length;
        if (!download.merkle) {
          download.bytes.set(data, at);
          r.written += data.length;
          return;
        }
        let used = 0;
        while (used < data.length) {
          const pieceStart = r.offset + r.written;
          const index = Math.floor(pieceStart / PIECE_BYTES);
          const length = pieceLength(download.size, index);
          if (!r.piece) r.piece = new Uint8Array(PIECE_BYTES);
          const n = Math.min(data.length - used, length - r.pieceFill);
          r.piece.set(data.subarray(used, used + n), r.pieceFill);
          r.pieceFill += n;
          used += n;
          if (r.pieceFill === length) {
            const expected = download.pieceHashes.get(index);
            if (!expected) throw new codec.ProtocolViolation(`bytes of piece ${index} before its hash`);
            const piece = r.piece.subarray(0, length);
            if (!bytesEqual(expected, pieceHash(piece, download.pieces === 1))) {
              throw new BadPiece(`sent a bad piece: ${length} bytes at ${pieceStart} failed their hash`);
            }
            download.bytes.set(piece, pieceStart);
            r.written += length;
            r.pieceFill = 0;
          }
        }
      },
    };
    return r;
  }

  send(r) {
    if (this.finished || r.source.gone) {
      r.source.inFlight.delete(r);
      if (!this.finished && this.size < 0 && r.offset === 0) this.sizing = false;
      if (!this.finished) this.requeue(r);
      return;
    }
    r.windowStart = Date.now();
    r.handle = r.source.client.request(this.id.text, r.offset, r.length, r);
    r.handle.done.then(
      () => this.finishedRequest(r, null),
      (e) => this.finishedRequest(r, e),
    );
  }

  requeue(r) {
    if (this.size < 0) return;
    const end = Math.min(this.size, r.offset + r.length);
    if (r.offset + r.written < end) this.todo.unshift([r.offset + r.written, end - r.offset - r.written]);
  }

  finishedRequest(r, failure) {
    if (!r.source.inFlight.delete(r)) return;
    const got = r.written;
    if (got > 0) {
      this.delivered.push({ offset: r.offset, length: got, peer: r.source.peer });
      this.remaining -= got;
    }
    if (this.size < 0) this.sizing = false;
    else this.requeue(r);
    const done = this.size >= 0 && this.remaining === 0 && this.todo.length === 0;
    if (failure) {
      const fault =
        failure instanceof BadPiece ? Fault.BAD_BYTES : failure instanceof codec.ProtocolViolation ? Fault.VIOLATION : Fault.GONE;
      this.dropSource(r.source, failure.message, fault);
      if (failure instanceof OverLimit) {
        this.finish();
        this.rejectComplete(failure);
        return;
      }
    }
    if (done) {
      this.finish();
      this.resolveComplete();
    } else {
      this.pumpAll();
      if (this.liveSources() === 0 && this.onNoSources) this.onNoSources();
    }
  }

  dropSource(source, why, fault) {
    if (source.gone) return;
    source.gone = true;
    this.onDropped(source.peer, why, fault);
  }

  /** Drops every holder whose request brought too little in its window (a strike). */
  cancelStalled(now = Date.now()) {
    for (const s of this.sources.values()) {
      for (const r of s.inFlight) {
        if (!r.handle || !r.handle.sent || now - r.windowStart < this.windowMs) continue;
        const brought = r.received - r.receivedAtWindowStart;
        const total = this.size < 0 ? r.length : Math.min(r.length, this.size - r.offset);
        const left = Math.max(1, total - r.receivedAtWindowStart);
        if (brought < Math.min(MIN_BYTES_PER_WINDOW, left)) {
          this.dropSource(s, `stalled: under ${MIN_BYTES_PER_WINDOW} bytes in ${this.windowMs / 1000} s`, Fault.STALL);
          s.client.cancel(r.handle);
          break;
        }
        r.windowStart = now;
        r.receivedAtWindowStart = r.received;
      }
    }
  }

  /**
   * Compares the assembled bytes with a good copy, range by delivered range: every range whose
   * bytes differ, with its sender. A wrong size is blamed on whoever gave it.
   */
  compareWith(good) {
    if (good.length !== this.size) return [{ peer: this.sizer, offset: 0, length: this.size }];
    const bad = [];
    for (const p of this.delivered) {
      if (!bytesEqual(good.subarray(p.offset, p.offset + p.length), this.bytes.subarray(p.offset, p.offset + p.length))) bad.push(p);
    }
    return bad;
  }

  finish() {
    this.finished = true;
    clearInterval(this.stallTimer);
  }

  /** Stops every request still out. */
  close() {
    if (!this.finished) {
      this.finish();
      this.rejectComplete(new Error('closed'));
    }
    for (const s of this.sources.values()) for (const r of s.inFlight) if (r.handle) s.client.cancel(r.handle);
  }
}
