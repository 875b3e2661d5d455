// The client a page starts: fetch(url, id) gives verified bytes from the page's cache, else from
// peers (want → match → links to up to four holders → ranges → verify → blame), else from the
// origin over HTTP (CORS); scan() and loadListing() show resources only once verified. A resource
// it holds is announced with `have` and served to other peers within upload slots and a cap.
// Java counterparts: node.Fetcher (the requester), node.SeederNode (the holder).

import { Emitter } from './emitter.js';
import { parseId } from './ids.js';
import { digestFor, describeDigest, StreamingDigest, VerifyUnavailable } from './verify.js';
import { bytesEqual, PieceTree } from './merkle.js';
import { Signaling } from './signaling.js';
import { Links, REFUSED } from './links.js';
import { TransferClient } from './requester.js';
import { TransferServer, Uploads } from './holder.js';
import { SwarmDownload, Fault } from './download.js';
import { TokenBucket } from './bucket.js';
import { Cache, adapterOf } from './cache.js';
import { TOO_MANY_OFFERS } from './admission.js';
import * as messages from './messages.js';

/** Holders used at once, and asked for beyond them to replace those that refuse or fail. */
export const HOLDERS_AT_ONCE = 4;
export const SPARE_HOLDERS = 2;
export const MATCH_TIMEOUT_MS = 10000;
/** A holder that refused as busy is offered once more, this long after, when no other served. */
export const BUSY_RETRY_MS = 1000;
/** Two stalls within ten minutes and a holder is distrusted. */
const STRIKES_TO_DISTRUST = 2;
const STRIKE_MEMORY_MS = 600000;
/** How long a fetch made while the first connection is still being made waits for it. */
const FIRST_CONNECT_WAIT_MS = 3000;
/** The largest resource fetched (held in memory while it is checked). */
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const DEFAULT_UPLOAD_BYTES_PER_SECOND = 2 * 1024 * 1024;

function uploadRate(bytesPerSecond = DEFAULT_UPLOAD_BYTES_PER_SECOND) {
  if (!(bytesPerSecond > 0)) return null;
  // A quarter of a second's worth saved up at most, and at least one chunk.
  return new TokenBucket(bytesPerSecond, Math.max(64 * 1024, bytesPerSecond / 4));
}

function message(e) {
  return e && e.message ? e.message : String(e);
}

/** The resource's bytes failed their hash when they came from the origin too: the page sees this. */
export class OriginMismatch extends Error {}

export class Client extends Emitter {
  constructor(options = {}) {
    super();
    this.options = options;
    this.server = options.server || null;
    this.maxBytes = options.maxBytes || DEFAULT_MAX_BYTES;
    this.wrtc = options.wrtc;
    this.Socket = options.WebSocket || globalThis.WebSocket;
    this.log = options.log || (() => {});
    this.baseUrl = options.baseUrl || (typeof document !== 'undefined' ? document.baseURI : undefined);
    const upload = options.upload || {};
    this.uploads = new Uploads({
      slots: upload.slots || 4,
      // A visitor's page serves within a cap (2 MiB/s unless the page says; 0: none) and 4 slots.
      bucket: uploadRate(upload.bytesPerSecond),
    });
    this.distrusted = new Set();
    this.strikes = new Map();
    this.inflight = new Map(); // id text -> promise of a result
    this.matchWaiters = new Map(); // id text -> handler(match)
    this.checked = new Set(); // keys of cached resources hashed again in this page's life
    this.trees = new Map(); // key -> PieceTree, for mt256- resources served
    this.clients = new Map(); // link -> TransferClient
    this.counts = { cache: 0, peers: 0, origin: 0, failed: 0, bytesFromPeers: 0, bytesFromOrigin: 0 };
    this.closed = false;
    this.peersUsable = !!this.server && !!this.Socket && (!!this.wrtc || typeof globalThis.RTCPeerConnection === 'function');
    this.cacheReady = this.openCache(options.cache === false ? false : options.cache || {}, options.pouch);
    if (this.peersUsable) this.ready = this.cacheReady.then(() => this.connect(options.geolocation));
    else this.ready = this.cacheReady;
  }

  async openCache(cacheOptions, pouch) {
    if (cacheOptions === false) return null;
    try {
      const adapter = cacheOptions.adapter || adapterOf(pouch || this.options.defaultPouch);
      this.cache = await Cache.open({ adapter, name: cacheOptions.name || 'swarmkeeper', maxBytes: cacheOptions.maxBytes || 200 * 1024 * 1024 });
      this.cache.onLost = (ids) => this.announceLost(ids);
    } catch (e) {
      this.cache = null; // no IndexedDB (a private window, say): fetches still work, nothing is kept
      this.log('no cache: ' + message(e));
    }
    return this.cache;
  }

  async connect(geolocation) {
    let coords = null;
    if (geolocation) coords = await position();
    if (this.closed) return;
    this.signaling = new Signaling({ url: this.server, role: 'browser', coords, WebSocket: this.Socket, log: this.log });
    this.links = new Links({
      signaling: this.signaling,
      wrtc: this.wrtc,
      onAnswered: (link) => this.serveOn(link),
      onEvent: (e) => this.emit('link', e),
    });
    this.signaling.on('welcome', (w) => {
      this.emit('connected', { id: w.id, resumed: !!w.resumed });
      this.announce(this.cache ? this.cache.ids() : []);
    });
    this.signaling.on('message', (m) => this.onServerMessage(m));
    this.signaling.on('disconnected', (d) => {
      this.emit('disconnected', d);
      for (const waiter of this.matchWaiters.values()) waiter(null);
    });
    // Fetches made while the first connection is being made wait for it, a little: until
    // welcomed, refused, or FIRST_CONNECT_WAIT_MS (a server that is down costs no more than that, once).
    this.firstContact = new Promise((resolve) => {
      const timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.signaling.on('welcome', done);
      this.signaling.on('disconnected', done);
    });
    this.signaling.start();
    this.watchPage(this.options.page !== undefined ? this.options.page : typeof window !== 'undefined' ? window : null);
  }

  /**
   * A page that goes away (closed, navigated from, put in the back-forward cache) says bye at
   * once, so that the peers paired with it hear `peer-gone` now rather than a heartbeat or two
   * later, and closes its links; one shown again from the back-forward cache connects again.
   */
  watchPage(page) {
    if (!page || typeof page.addEventListener !== 'function') return;
    this.page = page;
    this.onPageHide = () => {
      if (this.closed) return;
      this.signaling.leave('the page was hidden');
      this.links.closeLinks('the page was hidden');
    };
    this.onPageShow = (event) => {
      if (!this.closed && event && event.persisted) this.signaling.rejoin();
    };
    page.addEventListener('pagehide', this.onPageHide);
    page.addEventListener('pageshow', this.onPageShow);
  }

  onServerMessage(m) {
    switch (m.type) {
      case 'match': {
        const waiter = this.matchWaiters.get(m.hash);
        if (waiter) waiter(m);
        return;
      }
      case 'signal':
        if (typeof m.from === 'string' && m.data && typeof m.data === 'object') this.links.onSignal(m.from, m.data, m.reason);
        return;
      case 'peer-gone':
        if (typeof m.id === 'string') this.links.onPeerGone(m.id);
        return;
      default:
      // demand goes to seeders only; a browser takes none
    }
  }

  /** Tells the server what this page holds, in messages the server takes. True when sent. */
  announce(ids) {
    if (!this.signaling || !this.signaling.connected || !ids.length) return false;
    for (const batch of batches(ids, this.signaling.limits)) this.signaling.send(messages.have(batch));
    return true;
  }

  announceLost(ids) {
    for (const id of ids) {
      this.checked.delete(id);
      this.trees.delete(id);
    }
    if (!this.signaling || !this.signaling.connected || !ids.length) return;
    for (const batch of batches(ids, this.signaling.limits)) this.signaling.send(messages.lost(batch));
  }

  // ---- The requester ------------------------------------------------------------------------

  /** Verified bytes of `id`: {blob, bytes, id, source}. Rejects when no verified copy could be had. */
  fetch(url, idText) {
    let id;
    try {
      id = parseId(idText);
    } catch (e) {
      return Promise.reject(e);
    }
    const absolute = url == null ? null : this.resolve(url);
    const key = id.text;
    if (this.inflight.has(key)) return this.inflight.get(key);
    const started = Date.now();
    const p = this.load(id, absolute).then(
      (r) => {
        this.inflight.delete(key);
        this.emit('resource', { url: absolute, id: id.text, source: r.source, verified: true, bytes: r.bytes, millis: Date.now() - started });
        return r;
      },
      (e) => {
        this.inflight.delete(key);
        this.counts.failed++;
        this.emit('resource', { url: absolute, id: id.text, source: null, verified: false, bytes: 0, millis: Date.now() - started, error: message(e) });
        throw e;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  resolve(url) {
    try {
      return new URL(url, this.baseUrl).href;
    } catch {
      return String(url);
    }
  }

  async load(id, url) {
    await this.cacheReady;
    const cached = await this.fromCache(id);
    if (cached) {
      this.counts.cache++;
      return this.result(id, cached.bytes, cached.type || guessType(url), 'cache');
    }
    let reasons = [];
    if (this.peersUsable && !this.closed) {
      await this.ready;
      if (this.firstContact) await this.firstContact; // a page's first fetches come as it connects
      if (this.signaling && this.signaling.connected) {
        try {
          const got = await this.fromPeers(id, url, reasons);
          if (got) {
            this.counts[got.source === 'origin' ? 'origin' : 'peers']++;
            // `have` closes the want at the server; without it (not kept), `cancel` does.
            if (!(await this.keep(id, got.bytes, guessType(url)))) this.signaling.send(messages.cancel(id.text));
            return this.result(id, got.bytes, guessType(url), got.source);
          }
        } catch (e) {
          if (e instanceof OriginMismatch) throw e;
          reasons.push(message(e));
        }
        this.signaling.send(messages.cancel(id.text)); // the want is no longer open for us
      }
    }
    if (!url) throw new Error(`no verified copy of ${id.text}: ${reasons.join('; ') || 'no peer holds it'}; no origin given`);
    let origin;
    try {
      origin = await this.fromOrigin(id, url); // OriginMismatch for bytes that fail the hash
    } catch (e) {
      if (reasons.length) e.message += ` (peers: ${reasons.join('; ')})`;
      throw e;
    }
    this.counts.origin++;
    await this.keep(id, origin.bytes, origin.type);
    return this.result(id, origin.bytes, origin.type, 'origin');
  }

  result(id, bytes, type, source) {
    return { blob: new Blob([bytes], { type: type || '' }), bytes: bytes.length, id: id.text, source };
  }

  /** Keeps verified bytes and announces them; true when the server was told (`have`). */
  async keep(id, bytes, type) {
    if (!this.cache) return false;
    try {
      if (await this.cache.put(id, bytes, type || '')) {
        this.checked.add(id.text);
        return this.announce([id.text]);
      }
    } catch (e) {
      this.log('could not keep ' + id.short + ': ' + message(e));
    }
    return false;
  }

  /** Cached bytes, hashed again before their first use in this page's life; damaged ones are dropped. */
  async fromCache(id) {
    if (!this.cache || !this.cache.has(id)) return null;
    const entry = await this.cache.get(id);
    if (!entry) return null;
    if (!this.checked.has(id.text)) {
      let ok = false;
      try {
        ok = await matchesId(id, entry.bytes);
      } catch {
        ok = false;
      }
      if (!ok) {
        await this.cache.remove(id);
        this.announceLost([id.text]);
        return null;
      }
      this.checked.add(id.text);
    }
    return entry;
  }

  async fromOrigin(id, url) {
    let response;
    try {
      response = await fetch(url, { mode: 'cors', credentials: 'omit' });
    } catch (e) {
      throw new Error(`origin ${url} failed: ${message(e)}`);
    }
    if (!response.ok) throw new Error(`origin ${url} answered ${response.status}`);
    const type = (response.headers.get('content-type') || '').split(';')[0].trim();
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.maxBytes) throw new Error(`origin ${url} offers ${declared} bytes, over the limit of ${this.maxBytes}`);
    const digest = new StreamingDigest(id);
    const parts = [];
    let total = 0;
    if (response.body && response.body.getReader) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > this.maxBytes) {
          reader.cancel().catch(() => {});
          throw new Error(`origin ${url} sent more than ${this.maxBytes} bytes`);
        }
        digest.update(value);
        parts.push(value);
      }
    } else {
      const all = new Uint8Array(await response.arrayBuffer());
      digest.update(all);
      parts.push(all);
      total = all.length;
    }
    const bytes = concat(parts, total);
    const got = await digest.digest(bytes);
    if (!bytesEqual(got, id.digest)) {
      throw new OriginMismatch(`origin ${url} sent bytes that failed the hash: expected ${id.text}, got ${describeDigest(id, got)}`);
    }
    this.counts.bytesFromOrigin += bytes.length;
    return { bytes, type };
  }

  /** Asks the server for holders; resolves with the first match, or null (none, or no answer in time). */
  askForHolders(id, url, onFollowUp) {
    return new Promise((resolve) => {
      let first = true;
      const timer = setTimeout(() => {
        if (first) {
          first = false;
          resolve(null);
        }
      }, MATCH_TIMEOUT_MS);
      this.matchWaiters.set(id.text, (m) => {
        if (first) {
          first = false;
          clearTimeout(timer);
          resolve(m);
        } else if (m) onFollowUp(m);
      });
      const origin = url && /^https?:/i.test(url) && url.length <= 2048 ? url : undefined;
      if (!this.signaling.send(messages.want(id.text, Math.min(8, HOLDERS_AT_ONCE + SPARE_HOLDERS), origin))) {
        first = false;
        clearTimeout(timer);
        resolve(null);
      }
    });
  }

  /**
   * From peers, in rounds of up to four holders; null when none could deliver verified bytes
   * (reasons added). A mismatch over several senders is settled with a good copy (the origin's),
   * which is then the result ({source: 'origin'}).
   */
  async fromPeers(id, url, reasons) {
    const untried = [];
    const busy = new Set();
    const consider = (peers) => {
      for (const p of peers || []) {
        if (p && typeof p.id === 'string' && p.id !== this.signaling.id && !this.distrusted.has(p.id) && !untried.includes(p.id)) untried.push(p.id);
      }
    };
    let round = null;
    const match = await this.askForHolders(id, url, (m) => {
      // A follow-up match: a holder came or another left. It joins a running round, or waits.
      const before = untried.length;
      consider(m.peers);
      if (round && untried.length > before) round.more();
    });
    try {
      if (!match) {
        reasons.push('signaling server did not answer');
        return null;
      }
      consider(match.peers);
      for (let busyRetried = false; ; busyRetried = true) {
        while (untried.length) {
          const peers = untried.splice(0, HOLDERS_AT_ONCE);
          round = this.round(id, url, peers, untried, busy, reasons);
          const got = await round.result;
          round = null;
          if (got) return got;
        }
        if (busyRetried || busy.size === 0 || this.closed) break;
        await sleep(BUSY_RETRY_MS); // busy is a passing state: one more offer each
        untried.push(...[...busy].filter((p) => !this.distrusted.has(p)));
        busy.clear();
      }
      if (!match.peers.length) reasons.push('no peer holds it');
      return null;
    } finally {
      this.matchWaiters.delete(id.text);
    }
  }

  /** One round with `peers` at once; spares (in `untried`) replace holders that refuse. */
  round(id, url, peers, untried, busy, reasons) {
    const faults = new Map();
    const used = new Map(); // peer -> link
    const joined = [];
    let opening = 0;
    let over = false;
    const download = new SwarmDownload(id, {
      maxBytes: this.maxBytes,
      onDropped: (peer, why, fault) => {
        faults.set(peer, fault);
        reasons.push(`peer ${peer}: ${why}`);
        if (fault === Fault.BAD_BYTES) this.distrust(id, peer, why);
        else if (fault === Fault.VIOLATION) this.distrust(id, peer, 'broke the transfer protocol: ' + why);
        else if (fault === Fault.STALL && this.strike(peer) >= STRIKES_TO_DISTRUST) this.distrust(id, peer, `stalled ${STRIKES_TO_DISTRUST} times`);
        const link = used.get(peer);
        if (link && fault !== Fault.GONE) link.close('dropped: ' + why);
      },
    });
    const join = (peer, mayReuse) => {
      const kept = mayReuse ? this.links.openLink(peer) : null;
      const reused = !!kept && this.clients.has(kept);
      // A link another fetch is opening to the same holder is shared, not replaced.
      const shared = reused ? null : this.links.openingLink(peer);
      const link = reused ? kept : shared || this.links.offer(peer);
      link.users++;
      used.set(peer, link);
      joined.push(peer);
      opening++;
      link.opened.then(
        () => {
          opening--;
          const client = this.clientFor(link);
          if (client && !over) download.addSource(peer, client);
        },
        () => {
          opening--;
          const why = link.closeReason || 'no connection';
          const refused = why.startsWith(REFUSED);
          if (reused && !refused && !over) {
            join(peer, false); // the kept link closed just now (the holder found it idle): a new one
            return;
          }
          reasons.push(`peer ${peer}: ${refused ? why : 'no connection (' + why + ')'}`);
          if (refused && why !== REFUSED + TOO_MANY_OFFERS) busy.add(peer); // any reason but too-many-offers reads as busy
          if (refused && !over) {
            // Refused at once: not its fault, no strike; a spare takes its place.
            const next = untried.shift();
            if (next) join(next, true);
          }
        },
      );
    };
    for (const peer of peers) join(peer, true);
    const more = () => {
      while (!over && untried.length && download.liveSources() + opening < HOLDERS_AT_ONCE) join(untried.shift(), true);
    };
    const result = (async () => {
      try {
        // Wait until every byte came, or no holder is left (none live, none still opening).
        for (;;) {
          const done = await Promise.race([download.complete.then(() => true, () => false), sleep(250).then(() => null)]);
          if (done === true) break;
          if (done === false) return null;
          if (this.closed) return null;
          if (download.liveSources() === 0 && opening === 0) return null;
        }
        over = true;
        return await this.settle(id, url, download, reasons);
      } finally {
        over = true;
        download.close();
        for (const peer of joined) if (download.isIdle(peer) && !this.distrusted.has(peer) && !untried.includes(peer)) untried.push(peer);
        for (const [peer, link] of used) {
          link.users = Math.max(0, link.users - 1);
          const fault = faults.get(peer);
          if (this.distrusted.has(peer) || (fault && fault !== Fault.GONE)) link.close('dropped');
        }
      }
    })();
    return { result, more };
  }

  /** Every byte came: verify the whole; blame on a mismatch. */
  async settle(id, url, download, reasons) {
    const bytes = download.bytes;
    let ok;
    try {
      ok = await matchesId(id, bytes);
    } catch (e) {
      if (e instanceof VerifyUnavailable) throw e;
      ok = false;
    }
    const senders = download.senders();
    if (ok) {
      for (const [peer, n] of download.bytesBySender()) if (n > 0) this.signaling.send(messages.served(peer, id.text, n));
      this.counts.bytesFromPeers += bytes.length;
      return { bytes, source: senders.length === 1 ? 'peer:' + senders[0] : 'peers:' + senders.join(',') };
    }
    if (senders.length === 1) {
      this.distrust(id, senders[0], 'sent bytes that failed the hash');
      reasons.push(`peer ${senders[0]} sent bytes that failed the hash`);
      return null;
    }
    // Several sent them: a good copy tells exactly which ranges were bad.
    if (!url) {
      reasons.push(`peers ${senders.join(', ')} together sent bytes that failed the hash, and no good copy could tell which of them lied`);
      return null;
    }
    let good;
    try {
      good = await this.fromOrigin(id, url);
    } catch (e) {
      reasons.push('origin could not settle which peer lied: ' + message(e));
      if (e instanceof OriginMismatch) throw e;
      return null;
    }
    const byPeer = new Map();
    for (const bad of download.compareWith(good.bytes)) {
      if (!byPeer.has(bad.peer)) byPeer.set(bad.peer, []);
      byPeer.get(bad.peer).push(bad);
    }
    for (const [peer, ranges] of byPeer) this.distrust(id, peer, 'sent bad bytes in ' + ranges.map((r) => `${r.length} bytes at offset ${r.offset}`).join(', '));
    return { bytes: good.bytes, source: 'origin' };
  }

  clientFor(link) {
    if (link.closed) return null;
    let client = this.clients.get(link);
    if (!client) {
      client = new TransferClient(link, (violation) => {
        // The download whose request it broke drops it first (its failure runs as a microtask)
        // and reports it naming the resource; this covers messages for no running request.
        setTimeout(() => {
          if (!this.distrusted.has(link.peerId)) {
            this.distrusted.add(link.peerId);
            this.emit('distrust', { peer: link.peerId, id: null, reason: 'broke the transfer protocol: ' + violation.message });
            if (this.signaling) this.signaling.send(messages.report(link.peerId, null, 'broke the transfer protocol: ' + violation.message));
          }
          link.close('broke the transfer protocol');
        }, 0);
      });
      this.clients.set(link, client);
      link.attach({
        onMessage: (bytes) => client.onMessage(bytes),
        onClosed: (reason) => {
          this.clients.delete(link);
          client.onClosed(reason);
        },
      });
    }
    return client;
  }

  strike(peer) {
    const now = Date.now();
    const times = (this.strikes.get(peer) || []).filter((t) => now - t <= STRIKE_MEMORY_MS);
    times.push(now);
    this.strikes.set(peer, times);
    return times.length;
  }

  /** Never use `peer` again in this page's life, tell the server, and tell the page. */
  distrust(id, peer, why) {
    if (this.distrusted.has(peer)) return;
    this.distrusted.add(peer);
    this.log(`peer ${peer} ${why} for ${id ? id.short : '?'}; distrusted`);
    this.emit('distrust', { peer, id: id ? id.text : null, reason: why });
    if (this.signaling) this.signaling.send(messages.report(peer, id ? id.text : null, why));
  }

  // ---- The holder ---------------------------------------------------------------------------

  serveOn(link) {
    const server = new TransferServer(link, {
      source: { open: (id) => this.openForServing(id) },
      uploads: this.uploads,
      onViolation: (e) => link.close('the requester broke the transfer protocol: ' + e.message),
      onUploaded: (u) => this.emit('upload', { peer: u.peer, id: u.id.text, bytes: u.bytes, failure: u.failure }),
    });
    link.attach({ onMessage: (bytes) => server.onMessage(bytes), onClosed: () => server.close() });
  }

  /** A held resource's verified bytes for serving: hashed again first if not yet in this page's life. */
  async openForServing(id) {
    if (!this.cache || !this.cache.has(id)) return null;
    const entry = await this.fromCache(id);
    if (!entry) return null;
    return {
      bytes: entry.bytes,
      pieceTree: () => {
        // Built once per resource, in slices (a page stays responsive), shared by concurrent requests.
        let tree = this.trees.get(id.text);
        if (!tree) {
          tree = PieceTree.inSlices(entry.bytes);
          this.trees.set(id.text, tree);
        }
        return tree;
      },
    };
  }

  // ---- The page -----------------------------------------------------------------------------

  /**
   * Loads every element under `root` with data-swarm-src and data-swarm-hash (img, video, audio,
   * source): its src is set to an object URL only once the bytes verified. Resolves when all are done.
   */
  scan(root = typeof document !== 'undefined' ? document : null) {
    if (!root || !root.querySelectorAll) return Promise.resolve([]);
    const elements = [...root.querySelectorAll('[data-swarm-src]')].filter((el) => !el.dataset.swarmState);
    return Promise.all(elements.map((el) => this.loadElement(el)));
  }

  async loadElement(el) {
    el.dataset.swarmState = 'loading';
    const src = el.dataset.swarmSrc;
    const hash = el.dataset.swarmHash;
    try {
      if (!hash) throw new Error('no data-swarm-hash beside data-swarm-src');
      const r = await this.fetch(src, hash);
      el.src = URL.createObjectURL(r.blob);
      el.dataset.swarmSource = r.source;
      el.dataset.swarmState = 'verified';
      if (el.tagName === 'SOURCE' && el.parentElement && typeof el.parentElement.load === 'function') el.parentElement.load();
    } catch (e) {
      el.dataset.swarmError = message(e);
      el.dataset.swarmState = 'failed';
    }
    return el;
  }

  /**
   * Loads a JSON listing (an array, or an object holding one) whose items carry `srcKey` beside
   * `hashKey`; returns the items with `objectUrl` and `source` (or `error`) added.
   */
  async loadListing(url, { srcKey = 'img', hashKey = 'img_hash', concurrency = 6 } = {}) {
    const listingUrl = this.resolve(url);
    const response = await fetch(listingUrl, { mode: 'cors', credentials: 'omit' });
    if (!response.ok) throw new Error(`listing ${listingUrl} answered ${response.status}`);
    const json = await response.json();
    const items = findItems(json, srcKey);
    if (!items) throw new Error(`listing ${listingUrl} holds no array of items with "${srcKey}"`);
    const out = items.map((item) => ({ ...item }));
    let next = 0;
    const worker = async () => {
      while (next < out.length) {
        const item = out[next++];
        if (!item || typeof item !== 'object' || !item[srcKey]) continue;
        try {
          const r = await this.fetch(new URL(item[srcKey], listingUrl).href, item[hashKey]);
          item.objectUrl = URL.createObjectURL(r.blob);
          item.source = r.source;
        } catch (e) {
          item.error = message(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return out;
  }

  stats() {
    const s = this.signaling;
    return {
      peerId: s && s.connected ? s.id : null,
      connected: !!(s && s.connected),
      peersUsable: this.peersUsable,
      links: this.links ? this.links.size : 0,
      linksOffered: this.links ? this.links.offered.size : 0, // to fetch over
      linksAnswered: this.links ? this.links.answered.size : 0, // to serve over
      cache: this.cache ? { entries: this.cache.size, bytes: this.cache.total, maxBytes: this.cache.maxBytes } : null,
      fetched: { ...this.counts },
      uploads: { active: this.uploads.active, slots: this.uploads.slots, bytes: this.uploads.bytes, served: this.uploads.served },
      distrusted: [...this.distrusted],
      refusals: this.links ? { ...this.links.refusals } : { refused: 0, told: 0 },
      signaling: s ? { ...s.stats } : null,
    };
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => {});
    if (this.page) {
      this.page.removeEventListener('pagehide', this.onPageHide);
      this.page.removeEventListener('pageshow', this.onPageShow);
    }
    if (this.links) this.links.closeAll();
    if (this.signaling) this.signaling.close();
    if (this.cache) await this.cache.close().catch(() => {});
  }
}

/**
 * Ids cut into messages the server takes: at most maxHashesPerMessage each, and each frame under
 * maxFrameBytes (a thousand sha512- ids would not fit in 64 KiB).
 */
export function batches(ids, limits = {}) {
  const perMessage = limits.maxHashesPerMessage || 1000;
  const frameBytes = (limits.maxFrameBytes || 65536) - 64; // room for {"type":"have","hashes":[]}
  const out = [];
  let batch = [];
  let bytes = 0;
  for (const id of ids) {
    const cost = id.length + 3;
    if (batch.length && (batch.length >= perMessage || bytes + cost > frameBytes)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(id);
    bytes += cost;
  }
  if (batch.length) out.push(batch);
  return out;
}

async function matchesId(id, bytes) {
  return bytesEqual(await digestFor(id, bytes), id.digest);
}

function concat(parts, total) {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The first array (searched breadth-first) whose items are objects carrying `srcKey`. */
function findItems(json, srcKey) {
  const queue = [json];
  while (queue.length) {
    const v = queue.shift();
    if (Array.isArray(v)) {
      if (v.some((x) => x && typeof x === 'object' && !Array.isArray(x) && srcKey in x)) return v;
      queue.push(...v);
    } else if (v && typeof v === 'object') {
      queue.push(...Object.values(v));
    }
  }
  return null;
}

const TYPES = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', svg: 'image/svg+xml', mp4: 'video/mp4', webm: 'video/webm', mp3: 'audio/mpeg', ogg: 'audio/ogg', wav: 'audio/wav', js: 'text/javascript', css: 'text/css', json: 'application/json', html: 'text/html', txt: 'text/plain', woff2: 'font/woff2' };

/** A media type from a URL's extension, for bytes that came from peers (who send none). */
export function guessType(url) {
  if (!url) return '';
  const m = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url);
  return (m && TYPES[m[1].toLowerCase()]) || '';
}

/** The visitor's position if the page enabled it and the visitor allows it (3 s at most). */
function position() {
  const geo = typeof navigator !== 'undefined' && navigator.geolocation;
  if (!geo) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 3000);
    geo.getCurrentPosition(
      (p) => {
        clearTimeout(timer);
        resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy });
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
      { maximumAge: 600000, timeout: 3000 },
    );
  });
}
