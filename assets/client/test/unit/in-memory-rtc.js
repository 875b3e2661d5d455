// Links in memory, for the routing of signals between them: a stand-in for simple-peer (the
// `createPeer` of Links) whose "ICE" connects two sessions only when each has the other's
// description and one of them got a candidate of the other (as real ICE does, a peer-reflexive
// candidate standing in for one never received), and a stand-in for the signaling server that
// relays `signal` messages between Links in order, or holds them for a test to deliver in the
// order it wants. No WebRTC, no sockets: each session's candidate names its session by a port
// of its own, so a candidate given to the wrong session is seen (`foreign`), as the pairs it adds
// in a real peer would fail their checks.

import { EventEmitter } from 'node:events';
import { Links, iceUfrag } from '../../src/links.js';

let sessions = 0;

/** The sessions of one test: who is reached at which candidate port. */
export class Network {
  constructor() {
    this.byPort = new Map();
    this.nextPort = 40000;
  }

  /**
   * A `createPeer` for Links. Style: `ufrag` (candidate lines name their session's fragment, as
   * libwebrtc and browsers write them; false: as node-datachannel writes them), `candidatesFirst`
   * (each side sends its candidates before its offer or answer, as simple-peer on node-datachannel does).
   */
  peerMaker({ ufrag = true, candidatesFirst = false } = {}) {
    return (options) => new Session(this, options, { ufrag, candidatesFirst });
  }
}

/** One side of one WebRTC session, with simple-peer's surface as Link uses it. */
export class Session extends EventEmitter {
  constructor(network, options, style) {
    super();
    this.network = network;
    this.initiator = !!options.initiator;
    this.protocol = options.channelConfig ? options.channelConfig.protocol : '';
    this.style = style;
    this.ufrag = 'u' + (++sessions).toString(36) + Math.random().toString(36).slice(2, 6);
    this.port = network.nextPort++;
    network.byPort.set(this.port, this);
    this.remoteUfrag = null;
    this.pending = []; // candidates before the remote description, as simple-peer queues them
    this.got = []; // candidate lines applied
    this.foreign = []; // candidate lines of another session than the remote description's
    this.reached = null; // the session a matching candidate led to
    this.partner = null;
    this.connected = false;
    this.destroyed = false;
    if (this.initiator) setImmediate(() => this.describe('offer'));
  }

  candidateLine(n) {
    return `candidate:${n} 1 udp 2122260223 10.77.0.1 ${this.port} typ host generation 0` + (this.style.ufrag ? ` ufrag ${this.ufrag}` : '');
  }

  /** Sends our description and two candidates, in the style's order. */
  describe(type) {
    if (this.destroyed) return;
    const description = { type, sdp: `v=0\r\no=- ${this.port} 2 IN IP4 127.0.0.1\r\na=ice-ufrag:${this.ufrag}\r\na=ice-pwd:pw${this.port}\r\n` };
    const candidates = [1, 2].map((n) => ({ type: 'candidate', candidate: { candidate: this.candidateLine(n), sdpMLineIndex: 0, sdpMid: '0' } }));
    const all = this.style.candidatesFirst ? [...candidates, description] : [description, ...candidates];
    for (const signal of all) if (!this.destroyed) this.emit('signal', signal);
  }

  signal(data) {
    if (this.destroyed) throw new Error('cannot signal after peer is destroyed');
    if (data.type === 'offer' || data.type === 'answer') {
      if (this.remoteUfrag) throw new Error(`a second remote description (${data.type}) on one session`);
      if ((data.type === 'offer') === this.initiator) throw new Error(`an ${data.type} for the ${this.initiator ? 'offering' : 'answering'} side`);
      this.remoteUfrag = iceUfrag(data.sdp);
      if (data.type === 'offer') setImmediate(() => this.describe('answer'));
      // A session that already got one of our candidates reaches us now that we know it.
      for (const other of this.network.byPort.values()) if (other.reached === this) other.tryConnect(this);
      const waiting = this.pending;
      this.pending = [];
      for (const c of waiting) this.apply(c);
      return;
    }
    if (data.type === 'candidate') {
      if (!this.remoteUfrag) this.pending.push(data.candidate.candidate);
      else this.apply(data.candidate.candidate);
      return;
    }
    throw new Error('signal simple-peer does not know: ' + JSON.stringify(data)); // simple-peer destroys itself
  }

  apply(line) {
    this.got.push(line);
    const port = Number(line.split(/\s+/)[5]);
    const other = this.network.byPort.get(port);
    if (!other || other.ufrag !== this.remoteUfrag) {
      this.foreign.push(line);
      return;
    }
    this.reached = other;
    this.tryConnect(other);
  }

  tryConnect(other) {
    if (this.connected || other.connected || this.destroyed || other.destroyed) return;
    if (other.remoteUfrag !== this.ufrag) return; // it has not our description yet: tried again when it applies ours
    this.partner = other;
    other.partner = this;
    for (const side of [this, other]) {
      side.connected = true;
      side._channel = { protocol: side.protocol, bufferedAmount: 0 };
      setImmediate(() => !side.destroyed && side.emit('connect'));
    }
  }

  send(bytes) {
    if (!this.connected || this.destroyed) throw new Error('not connected');
    const copy = Uint8Array.from(bytes);
    const to = this.partner;
    setImmediate(() => !to.destroyed && to.emit('data', copy));
  }

  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    setImmediate(() => this.emit('close'));
    const to = this.partner;
    if (to) setImmediate(() => to.destroy()); // the channel closes at the other end too
  }
}

/**
 * The signaling server for Links in memory: relays `signal` to the named Links (with `from`), in
 * order, a turn later, unless holding (then a test delivers what it holds, in its order).
 * Signals no longer wanted when their turn comes are dropped, as the real client does.
 */
export class Relay {
  constructor() {
    this.members = new Map();
    this.held = [];
    this.holding = false;
    this.sent = [];
  }

  join(id, options = {}) {
    const relay = this;
    const signaling = {
      iceServers: [],
      send(message, wanted) {
        relay.route(id, message, wanted);
        return true;
      },
      sendWhenIdle(message) {
        relay.route(id, message, null);
      },
    };
    const answered = [];
    const links = new Links({
      signaling,
      createPeer: relay.network.peerMaker(options.style),
      holderLimits: options.holderLimits,
      idleMs: options.idleMs,
      onAnswered: (link) => {
        answered.push(link);
        link.received = [];
        link.handler = { onMessage: (bytes) => link.received.push(Buffer.from(bytes).toString()), onClosed: () => {} };
      },
    });
    const member = { id, links, answered };
    this.members.set(id, member);
    return member;
  }

  get network() {
    if (!this._network) this._network = new Network();
    return this._network;
  }

  route(from, message, wanted) {
    const item = { from, to: message.to, data: message.data, wanted };
    this.sent.push(item);
    if (this.holding) this.held.push(item);
    else setImmediate(() => this.deliver(item));
  }

  deliver(item) {
    if (item.wanted && !item.wanted()) return;
    const member = this.members.get(item.to);
    if (member) member.links.onSignal(item.from, item.data, 'random');
  }

  /** Takes the held signals that `pick` chooses, in held order, out of the hold. */
  take(pick) {
    const taken = this.held.filter(pick);
    this.held = this.held.filter((item) => !taken.includes(item));
    return taken;
  }

  /** Delivers every held signal, in order, and stops holding. */
  release() {
    this.holding = false;
    const all = this.held;
    this.held = [];
    for (const item of all) this.deliver(item);
  }

  close() {
    for (const m of this.members.values()) m.links.closeAll();
  }
}

/** The session behind a link. */
export const sessionOf = (link) => link.peer;

/** Resolves once `condition()` holds, polling each turn; rejects after `ms` saying `what`. */
export async function until(condition, what, ms = 3000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A turn of the event loop, or `n` of them. */
export async function turns(n = 1) {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}
