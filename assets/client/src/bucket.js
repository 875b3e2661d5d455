// A token bucket: `rate` tokens a second, at most `burst` saved up. Paces messages to the
// signaling server (under its maxMessagesPerSecond / messageBurst) and bytes sent to peers (the
// upload cap).

export class TokenBucket {
  constructor(rate, burst, now = () => Date.now()) {
    this.now = now;
    this.set(rate, burst);
  }

  /** New rate and burst; 0 rate: unlimited. */
  set(rate, burst) {
    this.rate = rate;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
    this.at = this.now();
  }

  refill() {
    const t = this.now();
    if (this.rate > 0) this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) * this.rate) / 1000);
    this.at = t;
  }

  /** Takes `n` tokens if they are there: true; else false and nothing is taken. */
  tryTake(n = 1) {
    if (this.rate <= 0) return true;
    this.refill();
    if (this.tokens >= n) {
      this.tokens -= n;
      return true;
    }
    return false;
  }

  /** Ms until `n` tokens are there (0: now). */
  waitFor(n = 1) {
    if (this.rate <= 0) return 0;
    this.refill();
    return this.tokens >= n ? 0 : Math.ceil(((n - this.tokens) * 1000) / this.rate);
  }

  /**
   * Takes `n` tokens, going into debt when there are not enough: returns the ms to wait before
   * using them. Lets a sender take more than the burst at once (a 64 KiB chunk) and still keep the
   * average rate.
   */
  reserve(n) {
    if (this.rate <= 0) return 0;
    this.refill();
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }
}
