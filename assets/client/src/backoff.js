// Reconnecting with exponential back-off and full jitter (docs/protocol.md, "Clients:
// reconnecting"; Java: node.Backoff): attempt n waits a random time in [0, min(cap, base·2ⁿ)],
// and never less than a retryAfterMs hint from the server (hints over 5 minutes count as 5).
// Spreading retries over the whole window keeps a crowd that lost the server at once from
// coming back at once.

export const MAX_RETRY_AFTER_MS = 5 * 60 * 1000;

export class Backoff {
  constructor(baseMs = 500, capMs = 30000, random = Math.random) {
    if (!(baseMs > 0) || capMs < baseMs) throw new Error(`need 0 < base <= cap, got base ${baseMs}, cap ${capMs}`);
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = random;
    this.attempt = 0;
  }

  /** The widest wait of attempt n. */
  ceiling(n) {
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(n, 62));
  }

  /** The wait before the next attempt, in ms; each call widens the window up to the cap. */
  next(retryAfterMs = 0) {
    const wait = Math.floor(this.random() * (this.ceiling(this.attempt) + 1));
    this.attempt++;
    const hint = Math.min(Math.max(0, retryAfterMs || 0), MAX_RETRY_AFTER_MS);
    return Math.max(wait, hint);
  }

  /** Starts over after a success. */
  reset() {
    this.attempt = 0;
  }
}
