// Which offers a holder answers, decided before any WebRTC work (docs/protocol.md, section 1,
// "Refusals"; Java: node.OfferAdmission). Each peer has an offer count that decays over the offer
// window; a peer over its share is refused `too-many-offers`, and so is one whose previous link is
// still being set up and younger than 5 s. When as many links are being set up as allowed, a new
// offer may take the place of the pending link whose peer offered clearly more; otherwise
// `busy`, as when every link is taken or new links come faster than allowed. Each peer is told
// of at most 2 refusals at once and then of one per 5 s.

export const BUSY = 'busy';
export const TOO_MANY_OFFERS = 'too-many-offers';
const REFUSALS_TOLD_AT_ONCE = 2;
const REFUSAL_INTERVAL_MS = 5000;
const MIN_PENDING_MS_BEFORE_REPLACED = 5000;
const MAX_TRACKED_PEERS = 1024;

/** A browser holder's limits: a visitor's page, so far fewer links than a seeder's 128. */
export const BROWSER_HOLDER_LIMITS = { maxLinks: 32, maxPending: 8, offersPerPeer: 10, offerWindowMs: 10000, newLinksPerSecond: 10 };

export class OfferAdmission {
  constructor(limits = BROWSER_HOLDER_LIMITS, now = Date.now()) {
    this.limits = limits;
    this.counts = new Map(); // peer -> {value, at, toTell, toldAt}; insertion order = least recent first
    this.tokens = limits.maxPending;
    this.tokensAt = now;
  }

  /**
   * An offer from `peer` at `now`; `held`: [{peer, pending, ageMs}] for every link held. Returns
   * {answer: true, evict} or {answer: false, reason, tell}.
   */
  offer(peer, held, now = Date.now()) {
    const count = this.add(peer, now);
    if (count > this.limits.offersPerPeer) return this.refuse(peer, TOO_MANY_OFFERS, now);
    const own = held.find((h) => h.peer === peer);
    if (own && own.pending && own.ageMs < MIN_PENDING_MS_BEFORE_REPLACED) return this.refuse(peer, TOO_MANY_OFFERS, now);
    let evict = null;
    if (!own) {
      if (held.length >= this.limits.maxLinks) return this.refuse(peer, BUSY, now);
      const pending = held.filter((h) => h.pending);
      if (pending.length >= this.limits.maxPending) {
        let victim = null;
        let most = 0;
        for (const h of pending) {
          const c = this.countOf(h.peer, now);
          if (c > most) {
            most = c;
            victim = h;
          }
        }
        if (!victim || most <= count + 1) return this.refuse(peer, BUSY, now);
        evict = victim.peer;
      }
    }
    if (!this.takeToken(now)) return this.refuse(peer, BUSY, now);
    return { answer: true, evict };
  }

  countOf(peer, now) {
    const c = this.counts.get(peer);
    return c ? this.decayed(c, now) : 0;
  }

  decayed(c, now) {
    return c.value * Math.exp(-Math.max(0, now - c.at) / this.limits.offerWindowMs);
  }

  add(peer, now) {
    let c = this.counts.get(peer);
    if (c) this.counts.delete(peer);
    else c = { value: 0, at: now, toTell: REFUSALS_TOLD_AT_ONCE, toldAt: now };
    this.counts.set(peer, c); // most recent last
    if (this.counts.size > MAX_TRACKED_PEERS) this.counts.delete(this.counts.keys().next().value);
    c.value = this.decayed(c, now) + 1;
    c.at = now;
    return c.value;
  }

  refuse(peer, reason, now) {
    const c = this.counts.get(peer);
    c.toTell = Math.min(REFUSALS_TOLD_AT_ONCE, c.toTell + (now - c.toldAt) / REFUSAL_INTERVAL_MS);
    c.toldAt = now;
    const tell = c.toTell >= 1;
    if (tell) c.toTell -= 1;
    return { answer: false, reason, tell };
  }

  takeToken(now) {
    this.tokens = Math.min(this.limits.maxPending, this.tokens + ((now - this.tokensAt) * this.limits.newLinksPerSecond) / 1000);
    this.tokensAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  prune(now = Date.now()) {
    for (const [peer, c] of this.counts) {
      if (this.decayed(c, now) < 0.01 && now - c.toldAt > REFUSALS_TOLD_AT_ONCE * REFUSAL_INTERVAL_MS) this.counts.delete(peer);
    }
  }
}
