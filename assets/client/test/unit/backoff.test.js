// Reconnecting: exponential back-off with full jitter, never sooner than retryAfterMs (at most 5 min).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, MAX_RETRY_AFTER_MS } from '../../src/backoff.js';
import { TokenBucket } from '../../src/bucket.js';

test('the window doubles from the base up to the cap, and the wait is anywhere in it', () => {
  const highest = new Backoff(500, 30000, () => 0.999999);
  const lowest = new Backoff(500, 30000, () => 0);
  const widths = [];
  for (let n = 0; n < 9; n++) {
    widths.push(highest.next());
    assert.equal(lowest.next(), 0, 'full jitter: the wait may be nothing');
  }
  assert.deepEqual(widths, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('waits spread over the whole window (full jitter), not near its top', () => {
  const b = new Backoff(500, 30000);
  const waits = [];
  for (let i = 0; i < 2000; i++) {
    b.attempt = 10;
    waits.push(b.next());
  }
  assert.ok(waits.every((w) => w >= 0 && w <= 30000));
  assert.ok(waits.filter((w) => w < 10000).length > 400, 'a third of the window gets its share');
  assert.ok(waits.filter((w) => w > 20000).length > 400);
});

test('a retryAfterMs hint is a floor, capped at five minutes; a success starts over', () => {
  const b = new Backoff(500, 30000, () => 0);
  assert.equal(b.next(7300), 7300);
  assert.equal(b.next(60 * 60 * 1000), MAX_RETRY_AFTER_MS);
  const top = new Backoff(500, 30000, () => 0.999999);
  top.next();
  top.next();
  top.reset();
  assert.equal(top.next(), 500);
  assert.throws(() => new Backoff(0, 10), /0 < base <= cap/);
});

test('a token bucket lets a burst through, then its rate, and reserve() goes into debt for big sends', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 4, () => now);
  let taken = 0;
  while (bucket.tryTake()) taken++;
  assert.equal(taken, 4);
  assert.equal(bucket.waitFor(1), 100);
  now += 250;
  assert.ok(bucket.tryTake() && bucket.tryTake());
  assert.equal(bucket.tryTake(), false);
  const bytes = new TokenBucket(1000, 100, () => now);
  assert.equal(bytes.reserve(100), 0);
  assert.equal(bytes.reserve(500), 500, 'a 500-byte send waits half a second at 1000 bytes/s');
});
