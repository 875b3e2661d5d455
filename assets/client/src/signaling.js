// The connection to the signaling server (docs/protocol.md, section 1; Java:
// node.SignalingClient): hello with role `browser`, the welcome's id, resume token, ICE servers
// and limits; messages paced under the server's rate; reconnection with back-off and full jitter,
// obeying retryAfterMs and presenting the resume token.

import { Emitter } from './emitter.js';
import { Backoff, MAX_RETRY_AFTER_MS } from './backoff.js';
import { TokenBucket } from './bucket.js';
import * as messages from './messages.js';

/** Signals that may wait for the pace (about 8 s of sending); beyond that an answer comes too late. */
export const MAX_CONDITIONAL_WAITING = 360;
/** Refusals that may wait for idle turns; the oldest goes first when more come. */
export const MAX_SPARE_WAITING = 64;
/** A refusal not sent within this long is dropped: its offerer has given up. */
export const SPARE_TTL_MS = 10000;

/**
 * Events: 'welcome' (welcome message), 'message' (any other server message),
 * 'disconnected' ({reason, retryInMs}), 'error' (server error messages).
 */
export class Signaling extends Emitter {
  constructor({ url, role = 'browser', coords = null, WebSocket: Socket, backoff, connectTimeoutMs = 10000, log }) {
    super();
    this.url = url;
    this.role = role;
    this.coords = coords;
    this.Socket = Socket || globalThis.WebSocket;
    this.backoff = backoff || new Backoff(500, 30000);
    this.connectTimeoutMs = connectTimeoutMs;
    this.log = log || (() => {});
    this.socket = null;
    this.welcome = null;
    this.lastResume = null;
    this.connected = false;
    this.closing = false;
    this.retryAfterMs = 0;
    this.outbox = []; // {frame, wanted}
    this.spare = []; // {frame, until}
    this.pace = new TokenBucket(0, 1);
    this.drainTimer = null;
    this.retryTimer = null;
    this.attempts = 0;
    this.stats = { sent: 0, droppedStale: 0, droppedFull: 0, reconnects: 0 };
  }

  get id() {
    return this.welcome ? this.welcome.id : null;
  }

  get iceServers() {
    return this.welcome && Array.isArray(this.welcome.iceServers) ? this.welcome.iceServers : [];
  }

  get limits() {
    return (this.welcome && this.welcome.limits) || {};
  }

  /** Starts connecting (and reconnecting, until close()). */
  start() {
    this.attempt();
    return this;
  }

  /** Resolves true once welcomed, false after `ms` without a welcome. */
  waitForWelcome(ms) {
    if (this.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok) => {
        clearTimeout(timer);
        this.off('welcome', onWelcome);
        resolve(ok);
      };
      const onWelcome = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.on('welcome', onWelcome);
    });
  }

  attempt() {
    if (this.closing) return;
    this.attempts++;
    let socket;
    try {
      // No subprotocol: the server selects none (docs/protocol.md, Transport).
      socket = new this.Socket(this.url);
    } catch (e) {
      this.lost('cannot open ' + this.url + ': ' + e.message);
      return;
    }
    this.socket = socket;
    let welcomed = false;
    const timeout = setTimeout(() => {
      if (!welcomed && this.socket === socket) {
        this.log('no welcome from ' + this.url + ' within ' + this.connectTimeoutMs / 1000 + ' s');
        try {
          socket.close();
        } catch {
          // closing anyway
        }
        this.lost('no welcome within ' + this.connectTimeoutMs / 1000 + ' s');
      }
    }, this.connectTimeoutMs);
    socket.onopen = () => {
      const resume = this.welcome ? this.welcome.resume : this.lastResume;
      this.sendNow(messages.hello({ role: this.role, coords: this.coords, resume }));
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      if (typeof event.data !== 'string') return; // the server sends text frames only
      const m = messages.parseServerMessage(event.data);
      if (!m) return;
      if (m.type === 'welcome') {
        welcomed = true;
        clearTimeout(timeout);
        this.onWelcome(m);
        return;
      }
      if (m.type === 'error') {
        if (typeof m.retryAfterMs === 'number' && m.retryAfterMs > 0) {
          this.retryAfterMs = Math.min(m.retryAfterMs, MAX_RETRY_AFTER_MS);
        }
        this.log(`signaling server says ${m.code}: ${m.message}`);
        this.emit('error', m);
        return;
      }
      this.emit('message', m);
    };
    socket.onclose = (event) => {
      clearTimeout(timeout);
      if (this.socket !== socket) return;
      this.lost(`closed${event && event.code ? ' (' + event.code + (event.reason ? ' ' + event.reason : '') + ')' : ''}`);
    };
    socket.onerror = () => {
      // onclose follows and decides
    };
  }

  onWelcome(welcome) {
    this.welcome = welcome;
    this.lastResume = welcome.resume;
    this.connected = true;
    this.backoff.reset();
    this.retryAfterMs = 0;
    const limits = welcome.limits || {};
    const perSecond = limits.maxMessagesPerSecond;
    if (perSecond > 0) {
      const serverBurst = limits.messageBurst == null ? Math.floor(perSecond / 2) : limits.messageBurst;
      // 90 % of the server's rate, in bursts of at most half of what it allows (at most 20),
      // so that whatever else the server counts fits too (as the Java client does).
      this.pace.set(Math.max(1, (perSecond * 9) / 10), Math.max(1, Math.min(20, Math.floor(serverBurst / 2))));
      this.pace.tokens = Math.min(this.pace.tokens, this.pace.burst);
    }
    this.emit('welcome', welcome);
    this.drain();
  }

  lost(reason) {
    const wasConnected = this.connected;
    this.connected = false;
    this.socket = null;
    // What waited was for this connection: wants, signals and announcements are made again
    // by their owners once welcomed (holdings are not kept across a disconnection).
    this.outbox = [];
    this.spare = [];
    if (this.closing) return;
    const retryInMs = this.backoff.next(this.retryAfterMs);
    this.retryAfterMs = 0;
    if (wasConnected) this.stats.reconnects++;
    this.emit('disconnected', { reason, retryInMs, wasConnected });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.attempt(), retryInMs);
  }

  sendNow(message) {
    const s = this.socket;
    if (!s || s.readyState !== 1) return false;
    try {
      s.send(JSON.stringify(message));
      this.stats.sent++;
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sends `message` in its turn under the pace; `wanted` (optional) is asked when its turn comes
   * and a message no longer wanted is dropped unsent. False when it was dropped at once (not
   * connected, or the queue of conditional messages is full).
   */
  send(message, wanted = null) {
    if (!this.connected) return false;
    if (wanted) {
      let conditional = 0;
      for (const o of this.outbox) if (o.wanted) conditional++;
      if (conditional >= MAX_CONDITIONAL_WAITING) {
        // Stale ones go first; a signal that still finds no room is refused.
        const before = this.outbox.length;
        this.outbox = this.outbox.filter((o) => !o.wanted || o.wanted());
        this.stats.droppedStale += before - this.outbox.length;
        if (before === this.outbox.length) {
          this.stats.droppedFull++;
          return false;
        }
      }
    }
    this.outbox.push({ message, wanted });
    this.drain();
    return true;
  }

  /** Sends `message` only in turns that nothing else wants, within SPARE_TTL_MS (refusals). */
  sendWhenIdle(message) {
    if (!this.connected) return;
    if (this.spare.length >= MAX_SPARE_WAITING) this.spare.shift();
    this.spare.push({ message, until: Date.now() + SPARE_TTL_MS });
    this.drain();
  }

  drain() {
    if (this.drainTimer || !this.connected) return;
    while (this.outbox.length || this.spare.length) {
      let next = this.outbox[0];
      if (next && next.wanted && !next.wanted()) {
        this.outbox.shift();
        this.stats.droppedStale++;
        continue;
      }
      if (!next) {
        const now = Date.now();
        while (this.spare.length && this.spare[0].until < now) this.spare.shift();
        if (!this.spare.length) break;
        next = this.spare[0];
      }
      if (!this.pace.tryTake(1)) {
        this.drainTimer = setTimeout(() => {
          this.drainTimer = null;
          this.drain();
        }, Math.max(1, this.pace.waitFor(1)));
        return;
      }
      if (next === this.outbox[0]) this.outbox.shift();
      else this.spare.shift();
      this.sendNow(next.message);
    }
  }

  /** Says bye and stops reconnecting. */
  close() {
    this.closing = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.drainTimer);
    this.drainTimer = null;
    const s = this.socket;
    this.socket = null;
    const wasConnected = this.connected;
    this.connected = false;
    this.outbox = [];
    this.spare = [];
    if (s) {
      try {
        // At once, not in the pace's turn: the page may be going away (pagehide).
        if (s.readyState === 1) s.send(JSON.stringify(messages.bye()));
        s.close(1000);
      } catch {
        // closing anyway
      }
    }
    return wasConnected;
  }

  /**
   * Leaves for now (the page was hidden): bye, no reconnection, until rejoin(). Those waiting for
   * the connection hear 'disconnected' without a retry.
   */
  leave(reason = 'left') {
    if (this.closing) return;
    const wasConnected = this.close();
    this.emit('disconnected', { reason, retryInMs: null, wasConnected });
  }

  /** Connects again after leave() (the page is shown again), presenting the last resume token. */
  rejoin() {
    if (!this.closing || this.socket) return;
    this.closing = false;
    this.backoff.reset();
    this.attempt();
  }
}
