// The requester's side of the transfer protocol on one link (Java: transfer.TransferClient). A
// request asks for a range; its bytes go to a sink in order as they arrive, and every deviation
// from what was asked is a protocol violation that fails the request and drops the link.

import * as codec from './codec.js';

const { ProtocolViolation } = codec;

/** A holder answered with ERROR or NOT_FOUND: no fault of its own (docs/protocol.md). */
export class TransferFailed extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/**
 * Requests one link keeps running at once, whoever made them: a holder runs at most two per link
 * and answers more with ERROR 4 (busy). A page fetching several resources from one holder shares
 * the link, and the requests beyond two wait here, in order, unsent.
 */
export const MAX_REQUESTS_PER_LINK = 2;

export class TransferClient {
  /** `onViolation(error)`: the holder broke the protocol (the owner distrusts it and closes the link). */
  constructor(link, onViolation) {
    this.link = link;
    this.peerId = link.peerId;
    this.nextRequestId = 1;
    this.requests = new Map(); // sent, not settled
    this.waiting = []; // made, not sent yet
    this.maxInFlight = MAX_REQUESTS_PER_LINK; // tests raise it to see what a holder does with more
    this.onViolation = onViolation || (() => {});
  }

  /**
   * Asks for `length` bytes of `id` (text) from `offset`; `sink` gets size(total), hashes(message)
   * and write(offset, bytes). Returns {requestId, done}: done resolves with the bytes received
   * once END came after exactly them, or rejects with why not.
   */
  request(id, offset, length, sink) {
    const r = { requestId: 0, id, offset, length, sink, end: -1, next: offset, received: 0, settled: false, sent: false };
    r.done = new Promise((resolve, reject) => {
      r.resolve = resolve;
      r.reject = reject;
    });
    r.done.catch(() => {});
    this.waiting.push(r);
    this.dispatch();
    return r;
  }

  /** Sends waiting requests while fewer than MAX_REQUESTS_PER_LINK run. */
  dispatch() {
    while (this.waiting.length && this.requests.size < this.maxInFlight) {
      const r = this.waiting.shift();
      r.requestId = this.nextRequestId++;
      r.sent = true;
      this.requests.set(r.requestId, r);
      if (r.sink.sent) r.sink.sent(); // its stall window starts now, not while it waited
      this.link.send(codec.encode({ type: codec.REQUEST, requestId: r.requestId, offset: r.offset, length: r.length, id: r.id }))
        .catch((e) => this.fail(r, e));
    }
  }

  /** Abandons a request and tells the holder to stop (a request still waiting is simply dropped). */
  cancel(r) {
    if (r.settled) return;
    const wasSent = r.sent;
    this.fail(r, new Error('cancelled'));
    if (wasSent) this.link.trySend(codec.encode({ type: codec.CANCEL, requestId: r.requestId }));
  }

  fail(r, error) {
    if (r.settled) return;
    r.settled = true;
    this.forget(r);
    r.reject(error);
  }

  /** A request settled: its place goes to the next waiting one. */
  forget(r) {
    if (r.sent) {
      this.requests.delete(r.requestId);
    } else {
      const i = this.waiting.indexOf(r);
      if (i >= 0) this.waiting.splice(i, 1);
    }
    this.dispatch();
  }

  /** The link closed: every pending request fails, with no blame. */
  onClosed(reason) {
    const all = [...this.requests.values(), ...this.waiting];
    this.waiting = [];
    for (const r of all) {
      r.sent = false; // nothing more to send on this link
      this.fail(r, new Error(`link to ${this.peerId} closed: ${reason}`));
    }
  }

  /** One message from the holder. */
  onMessage(bytes) {
    let m;
    try {
      m = codec.decode(bytes);
      const r = this.requests.get(m.requestId);
      if (!r) {
        // Late messages of a cancelled or failed request are expected; these never are.
        if (m.type === codec.REQUEST || m.type === codec.CANCEL) throw new ProtocolViolation('a holder may not send ' + codec.typeName(m.type));
        return;
      }
      try {
        this.accept(r, m);
      } catch (e) {
        this.fail(r, e);
        if (e instanceof ProtocolViolation) throw e;
      }
    } catch (e) {
      if (e instanceof ProtocolViolation) {
        const waiting = this.waiting;
        this.waiting = []; // the link is done for: nothing more is sent on it
        for (const r of [...this.requests.values(), ...waiting]) this.fail(r, e);
        this.onViolation(e);
        return;
      }
      throw e;
    }
  }

  accept(r, m) {
    switch (m.type) {
      case codec.RESPONSE: {
        if (r.end >= 0) throw new ProtocolViolation('second response for request ' + r.requestId);
        const wanted = r.length === codec.TO_END ? m.totalSize - r.offset : Math.min(r.length, m.totalSize - r.offset);
        if (m.offset !== r.offset || m.length !== wanted || wanted < 0) {
          throw new ProtocolViolation(`asked for ${describe(r.offset, r.length)} of a ${m.totalSize}-byte resource, got an answer for ${describe(m.offset, m.length)}`);
        }
        r.sink.size(m.totalSize);
        r.end = r.offset + wanted;
        return;
      }
      case codec.CHUNK: {
        if (r.end < 0) throw new ProtocolViolation('chunk before response');
        const n = m.data.length;
        if (n === 0) throw new ProtocolViolation('empty chunk');
        if (m.offset !== r.next) throw new ProtocolViolation(`chunk at offset ${m.offset}, expected ${r.next}`);
        if (r.next + n > r.end) throw new ProtocolViolation(`more bytes than asked: ${r.next + n - r.offset} of ${r.end - r.offset}`);
        r.sink.write(r.next, m.data);
        r.next += n;
        r.received = r.next - r.offset;
        return;
      }
      case codec.HASHES:
        if (r.end < 0) throw new ProtocolViolation('piece hashes before the response');
        r.sink.hashes(m);
        return;
      case codec.END:
        if (r.end < 0 || r.next !== r.end) {
          throw new ProtocolViolation(`end after ${r.next - r.offset} of ${r.end < 0 ? 'unannounced' : r.end - r.offset} bytes`);
        }
        r.settled = true;
        this.forget(r);
        r.resolve(r.received);
        return;
      case codec.NOT_FOUND:
        throw new TransferFailed(`peer ${this.peerId} does not hold it`, 0);
      case codec.ERROR:
        if (m.code === codec.Errors.UNSUPPORTED_VERSION) {
          throw new TransferFailed(`peer ${this.peerId} does not speak this channel's protocol version; it speaks ${m.message} (code 5)`, m.code);
        }
        throw new TransferFailed(`peer ${this.peerId} failed: ${m.message} (code ${m.code})`, m.code);
      default:
        throw new ProtocolViolation('a holder may not send ' + codec.typeName(m.type));
    }
  }
}

function describe(offset, length) {
  return length === codec.TO_END ? `bytes ${offset}–end` : `${length} bytes at ${offset}`;
}
