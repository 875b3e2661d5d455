// WebRTC links to other peers with simple-peer (docs/protocol.md, section 1 `signal`, and
// section 2 "The version" and "Links"; Java: node.PeerLinks, rtc.PeerLink). The side that wants
// offers and creates the data channel `swarmkeeper` with protocol `swarmkeeper/1`; a holder
// answers offers within its limits and refuses the rest at once with a `refused` signal, which
// simple-peer does not know and so never sees. Candidates that come before their offer are kept
// a little while. Links are reused for later requests and closed when idle.

import SimplePeer from 'simple-peer';
import { OfferAdmission, BROWSER_HOLDER_LIMITS } from './admission.js';
import { CHANNEL_PROTOCOL } from './codec.js';
import * as messages from './messages.js';

export const CONNECT_TIMEOUT_MS = 15000;
/** A requester keeps an idle link this long for its next requests to the same holder. */
export const REQUESTER_IDLE_MS = 10000;
/** A holder closes a link idle this long (longer than a requester's, so the requester normally closes). */
export const HOLDER_IDLE_MS = 30000;
/** A sender keeps the channel's buffered amount under this (docs/protocol.md, Flow control). */
export const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
/** Messages kept for a link whose handler is not attached yet (a requester keeps two requests in flight). */
const MAX_EARLY_MESSAGES = 16;
/** A peer that does not drain for this long fails the upload. */
export const SEND_STALL_MS = 30000;
const EARLY_CANDIDATE_TTL_MS = 10000;
const MAX_EARLY_CANDIDATES_PER_PEER = 16;
const MAX_EARLY_CANDIDATE_PEERS = 64;
const SWEEP_MS = 500;
/** How a link refused by its peer is closed: this, then the peer's reason. */
export const REFUSED = 'refused by the peer: ';

/** The ICE username fragment of an SDP (`a=ice-ufrag:`), or null. */
export function iceUfrag(sdp) {
  if (typeof sdp !== 'string') return null;
  const m = /a=ice-ufrag:(\S+)/.exec(sdp);
  return m ? m[1] : null;
}

/** The username fragment a candidate line names (`… ufrag X …`), or null. */
export function candidateUfrag(line) {
  if (typeof line !== 'string') return null;
  const parts = line.trim().split(/\s+/);
  for (let i = 0; i + 1 < parts.length; i++) if (parts[i] === 'ufrag') return parts[i + 1];
  return null;
}

/** The kind of a received signal object: 'offer', 'answer', 'candidate', … or ''. */
export function signalKind(data) {
  if (!data || typeof data !== 'object') return '';
  if (typeof data.type === 'string') return data.type;
  return data.candidate !== undefined ? 'candidate' : '';
}

/**
 * Reads a candidate signal tolerantly (a bare `{candidate: "…", sdpMid}`, an `a=` prefix, a null
 * sdpMLineIndex) into simple-peer's form; null for the end-of-candidates marker; throws on
 * anything that is not a candidate.
 */
export function normalizeCandidate(data) {
  const inner = data.candidate;
  let line;
  let mid;
  let index;
  if (typeof inner === 'string') {
    line = inner;
    mid = data.sdpMid;
    index = data.sdpMLineIndex;
  } else if (inner && typeof inner === 'object') {
    line = inner.candidate;
    mid = inner.sdpMid;
    index = inner.sdpMLineIndex;
  } else {
    throw new Error('candidate signal without "candidate"');
  }
  if (typeof line !== 'string') throw new Error('candidate without a candidate line');
  line = line.trim();
  if (line.startsWith('a=')) line = line.slice(2);
  if (!line) return null;
  if (!line.startsWith('candidate:')) throw new Error('not an ICE candidate line');
  return {
    type: 'candidate',
    candidate: { candidate: line, sdpMLineIndex: Number.isInteger(index) ? index : 0, sdpMid: mid == null ? '0' : String(mid) },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One link to one peer: a simple-peer connection with one data channel. */
export class Link {
  constructor(manager, peerId, initiator) {
    this.manager = manager;
    this.peerId = peerId;
    this.initiator = initiator;
    this.createdAt = Date.now();
    this.lastActivity = this.createdAt;
    this.open = false;
    this.closed = false;
    this.closeReason = null;
    this.ourUfrag = null;
    this.theirUfrag = null;
    this.matchReason = null;
    this.users = 0; // fetches using it: not closed for being idle meanwhile
    this.handler = null; // {onMessage(bytes), onClosed(reason)}: see attach()
    this.early = []; // messages that came before a handler was attached
    this.opened = new Promise((resolve, reject) => {
      this.resolveOpen = resolve;
      this.rejectOpen = reject;
    });
    this.opened.catch(() => {});
    const options = {
      initiator,
      trickle: true,
      // Only what the signaling server handed out: simple-peer's default is public STUN.
      config: { iceServers: manager.iceServers() },
      channelName: 'swarmkeeper',
      channelConfig: { ordered: true, protocol: CHANNEL_PROTOCOL },
      allowHalfTrickle: false,
    };
    if (manager.wrtc) options.wrtc = manager.wrtc;
    this.peer = manager.createPeer(options);
    this.peer.on('signal', (data) => {
      if (this.closed) return;
      if (initiator && data && data.type === 'offer') this.ourUfrag = iceUfrag(data.sdp);
      // Worth sending only while the link lives: stale signals are dropped unsent.
      if (!manager.signaling.send(messages.signal(peerId, data), () => !this.closed)) this.close('signaling queue full');
    });
    this.peer.on('connect', () => {
      if (this.closed) return;
      this.open = true;
      this.lastActivity = Date.now();
      clearTimeout(this.connectTimer);
      // Keep the channel referenced (node-datachannel collects unreferenced channels mid-transfer).
      this.channel = this.peer._channel;
      this.channelProtocol = this.channel ? this.channel.protocol || '' : '';
      manager.onOpen(this);
      this.resolveOpen(this);
    });
    this.peer.on('data', (data) => {
      if (this.closed) return;
      this.lastActivity = Date.now();
      const bytes = data instanceof Uint8Array ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      if (this.handler) this.handler.onMessage(bytes);
      else if (this.early.length < MAX_EARLY_MESSAGES) this.early.push(bytes);
      else this.close(`more than ${MAX_EARLY_MESSAGES} messages before the link was ready`);
    });
    this.peer.on('close', () => this.close('the data channel closed'));
    this.peer.on('error', (e) => this.close('link failed: ' + (e && e.message ? e.message : e)));
    this.connectTimer = setTimeout(() => {
      if (!this.open) this.close(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`);
    }, CONNECT_TIMEOUT_MS);
  }

  /**
   * Hands the link's messages to `handler` ({onMessage(bytes), onClosed(reason)}), those that came
   * first included. simple-peer emits 'connect' only after an asynchronous look at the connection's
   * stats, while the channel is already open: the other side, which saw its channel open, may have
   * sent its first request meanwhile.
   */
  attach(handler) {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const bytes of early) {
      if (this.closed || this.handler !== handler) return;
      handler.onMessage(bytes);
    }
  }

  /** Gives simple-peer a signal it knows. */
  signal(data) {
    if (this.closed) return;
    try {
      this.peer.signal(data);
    } catch (e) {
      this.close('bad signal: ' + e.message);
    }
  }

  get idleMs() {
    return Date.now() - this.lastActivity;
  }

  /** Sends one message, waiting while more than MAX_BUFFERED_BYTES are buffered. Throws once closed. */
  async send(bytes) {
    const started = Date.now();
    while (!this.closed && this.channel && this.channel.bufferedAmount > MAX_BUFFERED_BYTES - bytes.length) {
      if (Date.now() - started > SEND_STALL_MS) {
        this.close(`the peer did not drain its channel for ${SEND_STALL_MS / 1000} s`);
        break;
      }
      await sleep(5);
    }
    if (this.closed) throw new Error('link to ' + this.peerId + ' closed: ' + this.closeReason);
    try {
      this.peer.send(bytes);
    } catch (e) {
      this.close('send failed: ' + e.message);
      throw new Error('link to ' + this.peerId + ' closed: ' + this.closeReason);
    }
    this.lastActivity = Date.now();
  }

  /** Sends without waiting; for short answers (errors) that may be lost when the link goes. */
  trySend(bytes) {
    if (this.closed) return;
    try {
      this.peer.send(bytes);
      this.lastActivity = Date.now();
    } catch {
      // the link is going anyway
    }
  }

  close(reason = 'closed') {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    clearTimeout(this.connectTimer);
    try {
      this.peer.destroy();
    } catch {
      // gone anyway
    }
    this.rejectOpen(new Error(reason));
    this.manager.onClosed(this, reason);
    if (this.handler) this.handler.onClosed(reason);
  }
}

/**
 * A peer's links by remote id and direction (docs/protocol.md, section 1, "Two links with one
 * peer"; Java: node.PeerLinks): the links this side offered, over which it requests, and the
 * links it answered, over which it serves. A page that both fetches and serves may hold one of
 * each with the same peer (another page, or a seeder fetching what the page holds), so signals,
 * which name no link, go by what they are: an offer starts a link we answer, an answer or a
 * refusal is for the link we offered, a candidate for the session whose ICE username fragment
 * it names. `onAnswered(link)` is called when a link this side answered opens (the holder's
 * side); the requester's side uses offer() and the link's `opened` promise.
 */
export class Links {
  /**
   * `createPeer(options)`: makes a link's peer from simple-peer's options (simple-peer itself by
   * default; tests give an in-memory stand-in). `idleMs`: how long an unused open link is kept,
   * by direction.
   */
  constructor({ signaling, wrtc, holderLimits = BROWSER_HOLDER_LIMITS, onAnswered, onEvent, createPeer, idleMs = {} }) {
    this.signaling = signaling;
    this.wrtc = wrtc;
    this.createPeer = createPeer || ((options) => new SimplePeer(options));
    this.idleMs = { offered: idleMs.offered ?? REQUESTER_IDLE_MS, answered: idleMs.answered ?? HOLDER_IDLE_MS };
    this.offered = new Map(); // peer -> Link we offered (we request over it)
    this.answered = new Map(); // peer -> Link we answered (we serve over it)
    this.admission = new OfferAdmission(holderLimits);
    this.early = new Map(); // peer -> {signals: [], since}
    this.onAnswered = onAnswered || (() => {});
    this.onEvent = onEvent || (() => {});
    this.refusals = { refused: 0, told: 0 };
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    if (this.sweeper.unref) this.sweeper.unref();
  }

  iceServers() {
    return this.signaling.iceServers;
  }

  /** Opens a link to `peerId` as the offering side; a link we offered it before is replaced, one we answered stays. */
  offer(peerId) {
    const link = new Link(this, peerId, true);
    const previous = this.offered.get(peerId);
    this.offered.set(peerId, link);
    if (previous) previous.close('replaced by a new link');
    return link;
  }

  /** The open link to `peerId` that this side offered, if any, for another request. */
  openLink(peerId) {
    const link = this.offered.get(peerId);
    return link && link.open && !link.closed ? link : null;
  }

  /**
   * The link to `peerId` this side offered and that is still opening, if any: fetches that start
   * together share it (a second offer would replace the first).
   */
  openingLink(peerId) {
    const link = this.offered.get(peerId);
    return link && !link.open && !link.closed ? link : null;
  }

  /** The live link to `peerId` this side answered (it serves that peer over it), if any. */
  answeredLink(peerId) {
    return live(this.answered.get(peerId));
  }

  onSignal(from, data, reason) {
    const kind = signalKind(data);
    if (kind === 'refused') return this.onRefused(from, data);
    if (kind === 'offer') return this.onOffer(from, data, reason);
    if (kind === 'candidate') return this.onCandidate(from, data);
    if (kind === 'answer') {
      const link = live(this.offered.get(from));
      if (!link || link.open) return; // no offer of ours waits for it
      if (typeof data.sdp !== 'string' || !data.sdp) return;
      link.theirUfrag = iceUfrag(data.sdp);
      link.signal({ type: 'answer', sdp: data.sdp });
      return;
    }
    // renegotiate, transceiverRequest: accepted and ignored (links carry data only); anything else
    // would make simple-peer destroy the link.
  }

  /** An offer is for a link we answer, whatever we offered that peer ourselves: within the holder's limits. */
  onOffer(from, data, reason) {
    if (typeof data.sdp !== 'string' || !data.sdp) return;
    const existing = live(this.answered.get(from));
    const now = Date.now();
    const held = [];
    for (const l of this.answered.values()) if (!l.closed) held.push({ peer: l.peerId, pending: !l.open, ageMs: now - l.createdAt });
    const ufrag = iceUfrag(data.sdp);
    const decision = this.admission.offer(from, held, now);
    if (!decision.answer) {
      this.refusals.refused++;
      this.early.delete(from);
      if (decision.tell) {
        this.refusals.told++;
        // Never ahead of the signals of links being set up: those are what serves peers.
        this.signaling.sendWhenIdle(messages.signal(from, messages.refused(decision.reason, ufrag)));
      }
      return;
    }
    if (decision.evict) {
      const victim = this.answered.get(decision.evict);
      if (victim) victim.close('closed to make room: the peer makes too many offers');
    }
    // A fresh offer from a peer we answer is a new connection (a new DTLS fingerprint): the old link goes.
    if (existing) existing.close("replaced by the peer's new offer");
    const link = new Link(this, from, false);
    link.theirUfrag = ufrag;
    link.matchReason = reason || null;
    this.answered.set(from, link);
    link.signal({ type: 'offer', sdp: data.sdp });
    const kept = this.early.get(from);
    this.early.delete(from);
    if (kept) {
      for (const c of kept.signals) {
        const named = candidateUfrag(c.candidate.candidate);
        if (!ufrag || !named || named === ufrag) link.signal(c);
      }
    }
  }

  /**
   * A candidate goes to the session it names: the answer's fragment for the link we offered, the
   * offer's for the link we answered. One that names neither belongs to the peer's next offer
   * (kept for it) or, while our offer's answer has not come, to that answer (given to our link and
   * kept too). One that names none goes to the only link with that peer, or, with two, to those
   * still being set up: a candidate of the other session only adds pairs whose checks fail.
   */
  onCandidate(from, data) {
    let candidate;
    try {
      candidate = normalizeCandidate(data);
    } catch {
      return; // not a candidate: ignored
    }
    if (!candidate) return; // end of candidates
    const ours = live(this.offered.get(from));
    const theirs = live(this.answered.get(from));
    const named = candidateUfrag(candidate.candidate.candidate);
    if (!named) {
      if (ours && theirs && ours.open !== theirs.open) {
        (ours.open ? theirs : ours).signal(candidate);
        return;
      }
      if (ours || theirs) {
        if (ours) ours.signal(candidate);
        if (theirs) theirs.signal(candidate);
        return;
      }
    } else {
      const answer = ours ? ours.theirUfrag : null;
      if (ours && named === answer) {
        ours.signal(candidate);
        return;
      }
      if (theirs && named === theirs.theirUfrag) {
        theirs.signal(candidate);
        return;
      }
      if (theirs && !theirs.theirUfrag && (!ours || answer)) {
        theirs.signal(candidate); // an offer whose fragment could not be read
        return;
      }
      // Most likely our offer's answer is on its way; it could also be the peer's next offer's,
      // so it is kept for that too (kept candidates of another session are not applied).
      if (ours && !answer) ours.signal(candidate);
      // Otherwise another session than the one we answered: the peer's next offer is on its way.
    }
    this.keepEarly(from, candidate);
  }

  keepEarly(from, candidate) {
    const now = Date.now();
    this.expireEarly(now);
    let kept = this.early.get(from);
    if (!kept) {
      if (this.early.size >= MAX_EARLY_CANDIDATE_PEERS) return;
      kept = { signals: [], since: now };
      this.early.set(from, kept);
    }
    if (kept.signals.length < MAX_EARLY_CANDIDATES_PER_PEER) kept.signals.push(candidate);
  }

  expireEarly(now) {
    for (const [peer, kept] of this.early) if (now - kept.since > EARLY_CANDIDATE_TTL_MS) this.early.delete(peer);
  }

  /** A refusal is for the offer we made that peer, if it still waits and the refusal names its fragment (or none). */
  onRefused(from, data) {
    const link = this.offered.get(from);
    if (!link || link.open || link.closed) return; // nothing of ours waits
    const about = typeof data.ufrag === 'string' ? data.ufrag : null;
    if (about && link.ourUfrag && about !== link.ourUfrag) return; // about an earlier offer
    let reason = typeof data.reason === 'string' ? data.reason : 'no reason given';
    if (reason.length > 64) reason = reason.slice(0, 64) + '…';
    link.close(REFUSED + reason);
  }

  onPeerGone(peerId) {
    for (const links of [this.offered, this.answered]) {
      const link = links.get(peerId);
      if (link) link.close('the peer left the signaling server');
    }
    this.early.delete(peerId);
  }

  onOpen(link) {
    this.onEvent({ type: 'linked', peer: link.peerId, initiator: link.initiator });
    if (!link.initiator) this.onAnswered(link);
  }

  onClosed(link, reason) {
    const links = link.initiator ? this.offered : this.answered;
    if (links.get(link.peerId) === link) links.delete(link.peerId);
    this.onEvent({ type: 'unlinked', peer: link.peerId, initiator: link.initiator, reason });
  }

  /** Links open or being set up, both ways. */
  get size() {
    return this.offered.size + this.answered.size;
  }

  sweep() {
    const now = Date.now();
    for (const link of this.all()) {
      const idle = link.initiator ? this.idleMs.offered : this.idleMs.answered;
      if (link.open && link.users === 0 && now - link.lastActivity >= idle) link.close(`idle for ${idle / 1000} s`);
    }
    this.admission.prune(now);
    this.expireEarly(now);
  }

  /** Every link held, both ways. */
  all() {
    return [...this.offered.values(), ...this.answered.values()];
  }

  /** Closes every link, both ways (the page is going away); new ones may come later. */
  closeLinks(reason) {
    for (const link of this.all()) link.close(reason);
    this.offered.clear();
    this.answered.clear();
    this.early.clear();
  }

  closeAll() {
    clearInterval(this.sweeper);
    this.closeLinks('client closed');
  }
}

function live(link) {
  return link && !link.closed ? link : null;
}
